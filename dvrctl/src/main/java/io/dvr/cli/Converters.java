package io.dvr.cli;

import io.dvr.proto.v1.AllocationPool;
import io.dvr.proto.v1.FixedIpRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Checks of input the CLI can judge without the server, so that a typo is a usage error naming
 * the option and the value (picocli prefixes "Invalid value for option '--x'").
 */
final class Converters {

  private static final Pattern IPV4 = Pattern.compile(
      "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  /** IPv6 is the server's to accept or refuse; only the character set is checked here. */
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");
  private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");

  private Converters() {}

  static boolean isIp(String text) {
    return IPV4.matcher(text).matches() || IPV6.matcher(text).matches();
  }

  static String ip(String value) {
    if (!isIp(value)) {
      throw new TypeConversionException("'" + value + "' is not an IP address");
    }
    return value;
  }

  /** A UUID chosen by the caller for a new resource. */
  static final class Uuid implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (!Resolver.isUuid(value)) {
        throw new TypeConversionException("'" + value + "' is not a UUID");
      }
      return value;
    }
  }

  static final class Ip implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      return ip(value);
    }
  }

  static final class Cidr implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      int slash = value.indexOf('/');
      String address = slash < 0 ? "" : value.substring(0, slash);
      String prefix = slash < 0 ? "" : value.substring(slash + 1);
      if (!isIp(address) || !prefix.matches("\\d{1,3}")
          || Integer.parseInt(prefix) > (IPV4.matcher(address).matches() ? 32 : 128)) {
        throw new TypeConversionException("'" + value + "' is not a CIDR like 10.0.0.0/24");
      }
      return value;
    }
  }

  static final class Mac implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (!MAC.matcher(value).matches()) {
        throw new TypeConversionException("'" + value + "' is not a MAC address like fa:16:3e:00:00:01");
      }
      return value;
    }
  }

  /** {@code start=IP,end=IP}, as neutron's {@code --allocation-pool}. */
  static final class Pool implements ITypeConverter<AllocationPool> {
    @Override
    public AllocationPool convert(String value) {
      Map<String, String> pairs = pairs(value, "start=IP,end=IP");
      if (!pairs.keySet().equals(Set.of("start", "end"))) {
        throw new TypeConversionException("'" + value + "' is not start=IP,end=IP");
      }
      return AllocationPool.newBuilder()
          .setStart(ip(pairs.get("start")))
          .setEnd(ip(pairs.get("end")))
          .build();
    }
  }

  /**
   * {@code subnet_id=SUBNET,ip_address=IP} with either part optional, as neutron's
   * {@code port-create --fixed-ip}; the subnet may be a name, resolved later.
   */
  static final class FixedIp implements ITypeConverter<FixedIpRequest> {
    @Override
    public FixedIpRequest convert(String value) {
      Map<String, String> pairs = pairs(value, "subnet_id=SUBNET,ip_address=IP");
      FixedIpRequest.Builder ip = FixedIpRequest.newBuilder();
      for (Map.Entry<String, String> pair : pairs.entrySet()) {
        switch (pair.getKey()) {
          case "subnet_id" -> ip.setSubnetId(pair.getValue());
          case "ip_address" -> ip.setIpAddress(ip(pair.getValue()));
          default -> throw new TypeConversionException("'" + value + "' has unknown key '"
              + pair.getKey() + "' (expected subnet_id=SUBNET,ip_address=IP)");
        }
      }
      return ip.build();
    }
  }

  /** The gateway's address: {@code IP} or neutron's {@code ip_address=IP}. */
  static final class GatewayIp implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      return ip(value.startsWith("ip_address=") ? value.substring("ip_address=".length()) : value);
    }
  }

  private static Map<String, String> pairs(String value, String form) {
    Map<String, String> pairs = new LinkedHashMap<>();
    for (String part : value.split(",", -1)) {
      int eq = part.indexOf('=');
      if (eq <= 0 || eq == part.length() - 1) {
        throw new TypeConversionException("'" + value + "' is not " + form);
      }
      if (pairs.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim()) != null) {
        throw new TypeConversionException("'" + value + "' repeats '" + part.substring(0, eq) + "'");
      }
    }
    return pairs;
  }
}

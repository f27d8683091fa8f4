package io.dvr.agent.trace;

import io.dvr.agent.model.Flow;
import io.dvr.agent.model.IpPrefix;
import java.util.Collection;
import java.util.Optional;

/**
 * Finds the flow an OpenFlow table applies to a packet: the matching flow of highest priority.
 * Match fields are read from the flow's text as {@code ovs-ofctl} prints it; a field this lookup
 * does not know makes the flow not match (said in {@link #unknownField}), never match by accident.
 */
final class FlowLookup {
  private FlowLookup() {}

  /** The flow of {@code table} that takes the packet arriving on {@code inPort}, if any. */
  static Optional<Flow> find(Collection<Flow> flows, int table, Packet p, int inPort) {
    Flow best = null;
    for (Flow f : flows) {
      if (f.table() == table && matches(f.match(), p, inPort) && (best == null || f.priority() > best.priority())) {
        best = f;
      }
    }
    return Optional.ofNullable(best);
  }

  /** The first field of a match this lookup cannot evaluate, or empty. */
  static Optional<String> unknownField(String match) {
    for (String field : fields(match)) {
      if (!known(field)) {
        return Optional.of(field);
      }
    }
    return Optional.empty();
  }

  static boolean matches(String match, Packet p, int inPort) {
    for (String field : fields(match)) {
      if (!matchesField(field, p, inPort)) {
        return false;
      }
    }
    return true;
  }

  private static String[] fields(String match) {
    return match.isBlank() ? new String[0] : match.split(",");
  }

  private static boolean known(String field) {
    int eq = field.indexOf('=');
    String key = eq < 0 ? field : field.substring(0, eq);
    return switch (key) {
      case "ip", "arp", "tcp", "udp", "icmp", "in_port", "dl_src", "dl_dst", "dl_vlan", "tun_id", "nw_dst", "nw_src",
          "tp_dst", "priority", "table", "cookie" -> true;
      default -> false;
    };
  }

  private static boolean matchesField(String field, Packet p, int inPort) {
    int eq = field.indexOf('=');
    if (eq < 0) {
      return switch (field) {
        case "ip" -> true; // every traced packet is IPv4
        case "tcp", "udp", "icmp" -> field.equals(p.protocol());
        default -> false; // arp and anything not known
      };
    }
    String key = field.substring(0, eq);
    String value = field.substring(eq + 1);
    return switch (key) {
      case "in_port" -> value.equals(Integer.toString(inPort));
      case "dl_src" -> macMatches(value, p.ethSrc());
      case "dl_dst" -> macMatches(value, p.ethDst());
      case "dl_vlan" -> p.vlan() != Packet.NO_VLAN && number(value) == p.vlan();
      case "tun_id" -> p.tunId() != Packet.NO_TUNNEL && number(value) == p.tunId();
      case "nw_dst" -> IpPrefix.parse(value).contains(IpPrefix.toLong(p.ipDst()));
      case "nw_src" -> IpPrefix.parse(value).contains(IpPrefix.toLong(p.ipSrc()));
      case "tp_dst" -> p.dstPort() > 0 && number(value) == p.dstPort();
      case "priority", "table", "cookie" -> true; // printed attributes, not match fields
      default -> false;
    };
  }

  /** {@code aa:bb:..} or {@code value/mask}: the bits the mask sets must be equal. */
  private static boolean macMatches(String value, String mac) {
    if (mac.isEmpty()) {
      return false;
    }
    int slash = value.indexOf('/');
    if (slash < 0) {
      return value.equalsIgnoreCase(mac);
    }
    long want = macBits(value.substring(0, slash));
    long mask = macBits(value.substring(slash + 1));
    return (macBits(mac) & mask) == (want & mask);
  }

  private static long macBits(String mac) {
    return Long.parseLong(mac.replace(":", ""), 16);
  }

  private static long number(String value) {
    String v = value.contains("/") ? value.substring(0, value.indexOf('/')) : value;
    return v.startsWith("0x") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
  }
}

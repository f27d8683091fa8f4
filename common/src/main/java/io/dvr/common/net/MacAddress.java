package io.dvr.common.net;

import io.dvr.common.grpc.ApiError;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/** An Ethernet unicast MAC address in lower-case colon form. */
public record MacAddress(String text) {
  private static final Pattern FORM = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

  public MacAddress {
    if (!FORM.matcher(text).matches()) {
      throw new IllegalArgumentException("not a MAC: " + text);
    }
  }

  /** Parses a unicast MAC (case-insensitive); multicast, broadcast and all-zero are refused. */
  public static MacAddress parse(String field, String value) {
    String lower = value == null ? "" : value.toLowerCase();
    if (!FORM.matcher(lower).matches()) {
      throw ApiError.invalid(field, value, "not a valid MAC address (expected six hex octets like fa:16:3e:12:34:56)");
    }
    int firstOctet = Integer.parseInt(lower.substring(0, 2), 16);
    if ((firstOctet & 1) == 1) {
      throw ApiError.invalid(field, value, "a multicast or broadcast MAC address cannot be a port address");
    }
    if (lower.equals("00:00:00:00:00:00")) {
      throw ApiError.invalid(field, value, "the all-zero MAC address cannot be a port address");
    }
    return new MacAddress(lower);
  }

  /** A MAC with the given three-octet base (such as fa:16:3e) and three random octets. */
  public static MacAddress random(String base, RandomGenerator random) {
    int tail = random.nextInt(1 << 24);
    return new MacAddress(String.format("%s:%02x:%02x:%02x", base, (tail >> 16) & 0xFF, (tail >> 8) & 0xFF, tail & 0xFF));
  }

  @Override
  public String toString() {
    return text;
  }
}

package io.dvr.common.net;

import io.dvr.common.grpc.ApiError;

/** An IPv4 address held as an unsigned 32-bit value. */
public record Ipv4(long value) implements Comparable<Ipv4> {

  public Ipv4 {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("not an IPv4 value: " + value);
    }
  }

  /**
   * Parses dotted-quad text strictly (four decimal octets of ASCII digits, no leading zeros) or
   * returns null. Allocates nothing but the result: agents parse every neighbour's address.
   */
  public static Ipv4 tryParse(String text) {
    if (text == null) {
      return null;
    }
    int n = text.length();
    int i = 0;
    long v = 0;
    for (int octets = 0; octets < 4; octets++) {
      if (octets > 0) {
        if (i >= n || text.charAt(i) != '.') {
          return null;
        }
        i++;
      }
      int start = i;
      int octet = 0;
      while (i < n && i - start < 3 && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
        octet = octet * 10 + (text.charAt(i) - '0');
        i++;
      }
      int digits = i - start;
      if (digits == 0 || (digits > 1 && text.charAt(start) == '0') || octet > 255) {
        return null;
      }
      v = (v << 8) | octet;
    }
    return i == n ? new Ipv4(v) : null;
  }

  /** Parses or fails with INVALID_ARGUMENT naming the field and value. */
  public static Ipv4 parse(String field, String text) {
    Ipv4 ip = tryParse(text);
    if (ip == null) {
      if (text != null && text.contains(":")) {
        throw ApiError.invalid(field, text, "IPv6 is not supported yet; use an IPv4 address");
      }
      throw ApiError.invalid(field, text, "not a valid IPv4 address");
    }
    return ip;
  }

  public Ipv4 plus(long delta) {
    return new Ipv4(value + delta);
  }

  @Override
  public int compareTo(Ipv4 o) {
    return Long.compare(value, o.value);
  }

  @Override
  public String toString() {
    return ((value >> 24) & 0xFF) + "." + ((value >> 16) & 0xFF) + "." + ((value >> 8) & 0xFF) + "."
        + (value & 0xFF);
  }
}

package io.dvr.common.net;

import io.dvr.common.grpc.ApiError;

/** An IPv4 address held as an unsigned 32-bit value. */
public record Ipv4(long value) implements Comparable<Ipv4> {

  public Ipv4 {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("not an IPv4 value: " + value);
    }
  }

  /** Parses dotted-quad text strictly (four decimal octets, no leading zeros) or returns null. */
  public static Ipv4 tryParse(String text) {
    if (text == null) {
      return null;
    }
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    long v = 0;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return null;
      }
      for (int i = 0; i < p.length(); i++) {
        if (!Character.isDigit(p.charAt(i))) {
          return null;
        }
      }
      int octet = Integer.parseInt(p);
      if (octet > 255) {
        return null;
      }
      v = (v << 8) | octet;
    }
    return new Ipv4(v);
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

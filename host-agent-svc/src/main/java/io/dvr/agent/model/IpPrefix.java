package io.dvr.agent.model;

import io.dvr.common.net.Ipv4;

/**
 * An IPv4 address with a prefix length. Host bits may be set: {@code 81.1.180.1/24} is an
 * interface address and an ip-rule selector, {@code 81.1.180.0/24} a route destination.
 */
public record IpPrefix(long address, int length) implements Comparable<IpPrefix> {
  public static final IpPrefix ANY = new IpPrefix(0, 0);

  public IpPrefix {
    if (address < 0 || address > 0xFFFF_FFFFL || length < 0 || length > 32) {
      throw new IllegalArgumentException("not an IPv4 prefix: " + address + "/" + length);
    }
  }

  /** Parses {@code a.b.c.d/len}, a bare address (a /32) or {@code default}. */
  public static IpPrefix parse(String text) {
    if ("default".equals(text)) {
      return ANY;
    }
    int slash = text == null ? -1 : text.indexOf('/');
    if (slash < 0) {
      return new IpPrefix(toLong(text), 32);
    }
    String len = text.substring(slash + 1);
    if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("not an IPv4 prefix: " + text);
    }
    return new IpPrefix(toLong(text.substring(0, slash)), Integer.parseInt(len));
  }

  public static IpPrefix host(String ip) {
    return new IpPrefix(toLong(ip), 32);
  }

  public static IpPrefix of(String ip, int length) {
    return new IpPrefix(toLong(ip), length);
  }

  /** The dotted-quad address as an unsigned 32-bit value. */
  public static long toLong(String ip) {
    Ipv4 parsed = Ipv4.tryParse(ip);
    if (parsed == null) {
      throw new IllegalArgumentException("not an IPv4 address: '" + ip + "'");
    }
    return parsed.value();
  }

  public static String dotted(long value) {
    return new Ipv4(value).toString();
  }

  public String ip() {
    return dotted(address);
  }

  public long mask() {
    return length == 0 ? 0 : (0xFFFF_FFFFL << (32 - length)) & 0xFFFF_FFFFL;
  }

  public IpPrefix network() {
    return new IpPrefix(address & mask(), length);
  }

  public String broadcast() {
    return dotted((address | ~mask()) & 0xFFFF_FFFFL);
  }

  public boolean contains(long ip) {
    return (ip & mask()) == (address & mask());
  }

  /** As iproute2 prints destinations and selectors: {@code default}, a bare /32, else a/len. */
  public String brief() {
    if (length == 0 && address == 0) {
      return "default";
    }
    return length == 32 ? ip() : toString();
  }

  @Override
  public int compareTo(IpPrefix o) {
    int c = Long.compare(address, o.address);
    return c != 0 ? c : Integer.compare(length, o.length);
  }

  @Override
  public String toString() {
    return ip() + "/" + length;
  }
}

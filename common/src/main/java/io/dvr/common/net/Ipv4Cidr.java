package io.dvr.common.net;

import io.dvr.common.grpc.ApiError;

/** An IPv4 network: its network address and prefix length. */
public record Ipv4Cidr(Ipv4 network, int prefix) {

  public Ipv4Cidr {
    if (prefix < 0 || prefix > 32 || (network.value() & ~mask(prefix)) != 0) {
      throw new IllegalArgumentException("not a network: " + network + "/" + prefix);
    }
  }

  /** Parses {@code a.b.c.d/len}; host bits must be zero. Fails with INVALID_ARGUMENT naming the field. */
  public static Ipv4Cidr parse(String field, String text) {
    if (text == null || text.isEmpty()) {
      throw ApiError.invalid(field, text == null ? "" : text, "a CIDR such as 10.0.0.0/24 is required");
    }
    if (text.contains(":")) {
      throw ApiError.invalid(field, text, "IPv6 is not supported yet; use an IPv4 CIDR");
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw ApiError.invalid(field, text, "not a CIDR: the prefix length (/len) is missing");
    }
    Ipv4 address = Ipv4.tryParse(text.substring(0, slash));
    String len = text.substring(slash + 1);
    if (address == null || len.isEmpty() || len.length() > 2 || !len.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw ApiError.invalid(field, text, "not a valid IPv4 CIDR");
    }
    int prefix = Integer.parseInt(len);
    if (prefix > 32) {
      throw ApiError.invalid(field, text, "prefix length must be 0..32");
    }
    long network = address.value() & mask(prefix);
    if (network != address.value()) {
      throw ApiError.invalid(field, text,
          "host bits are set; the network is " + new Ipv4(network) + "/" + prefix);
    }
    return new Ipv4Cidr(address, prefix);
  }

  public static long mask(int prefix) {
    return prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
  }

  public long size() {
    return 1L << (32 - prefix);
  }

  public Ipv4 first() {
    return network;
  }

  public Ipv4 last() {
    return network.plus(size() - 1);
  }

  public boolean contains(Ipv4 ip) {
    return (ip.value() & mask(prefix)) == network.value();
  }

  public boolean overlaps(Ipv4Cidr other) {
    int shorter = Math.min(prefix, other.prefix);
    return (network.value() & mask(shorter)) == (other.network.value() & mask(shorter));
  }

  /** The usable host range: without the network and broadcast addresses where the prefix has them. */
  public Ipv4 firstHost() {
    return prefix >= 31 ? first() : first().plus(1);
  }

  public Ipv4 lastHost() {
    return prefix >= 31 ? last() : last().plus(-1);
  }

  @Override
  public String toString() {
    return network + "/" + prefix;
  }
}

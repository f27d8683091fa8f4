package io.dvr.common.net;

import java.util.List;
import java.util.Optional;

/**
 * IPv4 ranges that make no sense on a tenant or external subnet (RFC 6890): no subnet may
 * overlap them and no port may hold an address in them, whatever the subnet.
 */
public final class ReservedIpv4 {
  /** One reserved range and what it is for, as an error message names it. */
  public record Range(Ipv4Cidr cidr, String meaning) {
    @Override
    public String toString() {
      return cidr + " (" + meaning + ")";
    }
  }

  /** The ranges; the limited broadcast address comes before class E, which holds it, to be named precisely. */
  public static final List<Range> RANGES = List.of(
      range(0x00000000L, 8, "'this network'"),
      range(0x7F000000L, 8, "loopback"),
      range(0xE0000000L, 4, "multicast"),
      range(0xFFFFFFFFL, 32, "limited broadcast"),
      range(0xF0000000L, 4, "reserved, class E"));

  private ReservedIpv4() {}

  /** The first reserved range the CIDR overlaps, if any. */
  public static Optional<Range> overlapping(Ipv4Cidr cidr) {
    return RANGES.stream().filter(r -> r.cidr().overlaps(cidr)).findFirst();
  }

  /** The reserved range holding the address, if any. */
  public static Optional<Range> holding(Ipv4 ip) {
    return RANGES.stream().filter(r -> r.cidr().contains(ip)).findFirst();
  }

  private static Range range(long network, int prefix, String meaning) {
    return new Range(new Ipv4Cidr(new Ipv4(network), prefix), meaning);
  }
}

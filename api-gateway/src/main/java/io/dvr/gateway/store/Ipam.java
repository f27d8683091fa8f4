package io.dvr.gateway.store;

import io.dvr.store.Tx;
import io.dvr.common.grpc.ApiError;
import io.dvr.common.net.Ipv4;
import io.dvr.common.net.ReservedIpv4;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * IP address management. Allocations on a subnet are serialised by a row lock on the subnet,
 * and the primary key (subnet, address) of ip_allocations makes a duplicate impossible even if
 * that discipline were broken.
 */
final class Ipam {
  private static final long MAX_IPV4 = 0xFFFF_FFFFL;

  /**
   * The lowest address of the pools that is free, not the subnet's gateway_ip and in no reserved
   * range. Candidates are each pool's start and the address after each allocation, after the
   * gateway and after each reserved range (pools created before those rules may hold them).
   */
  private static final String NEXT_FREE = """
      SELECT host(c.ip) AS ip FROM (
        SELECT p.first_ip AS ip FROM allocation_pools p WHERE p.subnet_id = $1
        UNION
        SELECT a.ip_address + 1 FROM ip_allocations a WHERE a.subnet_id = $1 AND a.ip_address < '255.255.255.255'
        UNION
        SELECT s.gateway_ip + 1 FROM subnets s WHERE s.id = $1 AND s.gateway_ip < '255.255.255.255'
        UNION
        SELECT unnest(%s::inet[])
      ) c
      WHERE EXISTS (SELECT 1 FROM allocation_pools p
                    WHERE p.subnet_id = $1 AND c.ip BETWEEN p.first_ip AND p.last_ip)
        AND NOT EXISTS (SELECT 1 FROM ip_allocations a WHERE a.subnet_id = $1 AND a.ip_address = c.ip)
        AND NOT EXISTS (SELECT 1 FROM subnets s WHERE s.id = $1 AND s.gateway_ip = c.ip)
        AND NOT c.ip <<= ANY (%s::inet[])
      ORDER BY c.ip LIMIT 1""".formatted(
      sqlArray(ReservedIpv4.RANGES.stream().filter(r -> r.cidr().last().value() < MAX_IPV4)
          .map(r -> r.cidr().last().plus(1).toString()).toList()),
      sqlArray(ReservedIpv4.RANGES.stream().map(r -> r.cidr().toString()).toList()));

  private Ipam() {}

  /** Locks subnets in id order (a fixed order, so that two transactions cannot deadlock). */
  static Future<List<SubnetInfo>> lockSubnets(Tx tx, Collection<UUID> ids) {
    return tx.all("SELECT " + SubnetInfo.COLUMNS + " WHERE s.id = ANY($1) ORDER BY s.id FOR UPDATE OF s",
            (Object) ids.stream().distinct().sorted().toArray(UUID[]::new))
        .map(rows -> rows.stream().map(SubnetInfo::of).toList());
  }

  /** Gives the port the lowest free address of the subnet's allocation pools. */
  static Future<Ipv4> allocateNext(Tx tx, SubnetInfo subnet, UUID portId) {
    return tx.one(NEXT_FREE, subnet.id()).compose(row -> {
      if (row.isEmpty()) {
        return Future.failedFuture(ApiError.exhausted("subnet '" + subnet.id() + "' (" + subnet.cidr()
            + ") has no free IP address left in its allocation pools"));
      }
      Ipv4 ip = Ipv4.tryParse(row.get().getString("ip"));
      return insert(tx, subnet, ip, portId).map(ip);
    });
  }

  /**
   * Gives the port this exact address; fails with INVALID_ARGUMENT when the address is the subnet's
   * gateway_ip (unless the port is the router interface that takes it) or in a reserved range, and
   * with ALREADY_EXISTS when it is taken.
   */
  static Future<Ipv4> allocateExact(Tx tx, SubnetInfo subnet, Ipv4 ip, UUID portId, String field,
      boolean routerInterface) {
    if (ip.equals(subnet.gateway()) && !routerInterface) {
      return Future.failedFuture(ApiError.invalid(field, ip, "is the gateway_ip of subnet '" + subnet.id() + "' ("
          + subnet.cidr() + "); only a router interface takes it"));
    }
    var reserved = ReservedIpv4.holding(ip);
    if (reserved.isPresent()) {
      return Future.failedFuture(ApiError.invalid(field, ip, "is in the reserved range " + reserved.get()));
    }
    return holder(tx, subnet.id(), ip).compose(holder -> {
      if (holder.isPresent()) {
        return Future.failedFuture(ApiError.alreadyExists(field + " '" + ip + "' is already in use on subnet '"
            + subnet.id() + "' by port '" + holder.get() + "'"));
      }
      return insert(tx, subnet, ip, portId).map(ip);
    });
  }

  private static String sqlArray(List<String> items) {
    return items.stream().map(i -> "'" + i + "'").collect(Collectors.joining(",", "ARRAY[", "]"));
  }

  static Future<Optional<UUID>> holder(Tx tx, UUID subnetId, Ipv4 ip) {
    return tx.one("SELECT port_id FROM ip_allocations WHERE subnet_id = $1 AND ip_address = $2::text::inet",
        subnetId, ip.toString()).map(r -> r.map(row -> row.getUUID("port_id")));
  }

  private static Future<Void> insert(Tx tx, SubnetInfo subnet, Ipv4 ip, UUID portId) {
    return tx.query("INSERT INTO ip_allocations(subnet_id, ip_address, port_id) VALUES ($1, $2::text::inet, $3)",
        subnet.id(), ip.toString(), portId).mapEmpty();
  }
}

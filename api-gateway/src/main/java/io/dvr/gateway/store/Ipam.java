package io.dvr.gateway.store;

import io.dvr.store.Tx;
import io.dvr.common.net.Ipv4;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Subnet locks and address holders for the router operations that take a subnet's gateway_ip.
 * Ports' addresses come from {@link AddressAllocator} without a subnet lock; the primary key
 * (subnet, address) of ip_allocations makes a duplicate impossible either way.
 */
final class Ipam {
  private Ipam() {}

  /** Locks subnets in id order (a fixed order, so that two transactions cannot deadlock). */
  static Future<List<SubnetInfo>> lockSubnets(Tx tx, Collection<UUID> ids) {
    return tx.all("SELECT " + SubnetInfo.COLUMNS + " WHERE s.id = ANY($1) ORDER BY s.id FOR UPDATE OF s",
            (Object) ids.stream().distinct().sorted().toArray(UUID[]::new))
        .map(rows -> rows.stream().map(SubnetInfo::of).toList());
  }

  static Future<Optional<UUID>> holder(Tx tx, UUID subnetId, Ipv4 ip) {
    return tx.one("SELECT port_id FROM ip_allocations WHERE subnet_id = $1 AND ip_address = $2::text::inet",
        subnetId, ip.toString()).map(r -> r.map(row -> row.getUUID("port_id")));
  }
}

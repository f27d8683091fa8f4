package io.dvr.gateway.store;

import io.dvr.store.Tx;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** Which routers a change touches: the event hints for the scheduler and ARP service. */
final class Routers {
  private Routers() {}

  static Future<List<UUID>> onSubnets(Tx tx, Collection<UUID> subnetIds) {
    if (subnetIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return tx.all("SELECT DISTINCT router_id FROM router_interfaces WHERE subnet_id = ANY($1)",
            (Object) subnetIds.toArray(UUID[]::new))
        .map(rows -> rows.stream().map(r -> r.getUUID("router_id")).toList());
  }

  /** Routers with an interface on one of the port's subnets, or holding a floating IP of the port. */
  static Future<List<UUID>> ofPort(Tx tx, UUID portId) {
    return tx.all("SELECT ri.router_id FROM router_interfaces ri JOIN ip_allocations a ON a.subnet_id = ri.subnet_id"
            + " WHERE a.port_id = $1 UNION SELECT router_id FROM floating_ips WHERE port_id = $1 AND router_id IS NOT NULL",
            portId)
        .map(rows -> rows.stream().map(r -> r.getUUID(0)).toList());
  }
}

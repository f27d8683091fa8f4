package io.dvr.store;

import io.dvr.common.model.DeviceOwners;
import io.dvr.proto.v1.ArpEntry;
import io.vertx.core.Future;
import java.util.List;
import java.util.UUID;

/** A distributed router's ARP table: every non-router port on its subnets (reference section 6). */
public final class ArpStore {

  public Future<List<ArpEntry>> table(Tx tx, UUID routerId) {
    return tx.all("SELECT host(a.ip_address) AS ip, p.mac_address::text AS mac, a.subnet_id, p.id"
            + " FROM router_interfaces ri JOIN ip_allocations a ON a.subnet_id = ri.subnet_id"
            + " JOIN ports p ON p.id = a.port_id WHERE ri.router_id = $1 AND p.device_owner <> ALL($2)"
            + " ORDER BY a.ip_address", routerId,
            new String[] {DeviceOwners.ROUTER_INTERFACE_DISTRIBUTED, DeviceOwners.ROUTER_INTERFACE})
        .map(rows -> rows.stream().map(r -> ArpEntry.newBuilder().setIpAddress(r.getString("ip"))
            .setMacAddress(r.getString("mac")).setSubnetId(r.getUUID("subnet_id").toString())
            .setPortId(r.getUUID("id").toString()).build()).toList());
  }

  public Future<List<String>> hosts(Tx tx, UUID routerId) {
    return tx.all("SELECT host FROM router_host_bindings WHERE router_id = $1 ORDER BY host", routerId)
        .map(rows -> rows.stream().map(r -> r.getString("host")).toList());
  }
}

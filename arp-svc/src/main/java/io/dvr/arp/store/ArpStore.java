package io.dvr.arp.store;

import io.dvr.common.model.DeviceOwners;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The rule of which ports are in a distributed router's ARP table: every non-router port with an
 * address on one of its subnets (reference section 6), ordered by address. Read-only over
 * api-gateway's intent; no other service computes it.
 */
public final class ArpStore {
  private static final String[] ROUTER_OWNERS =
      {DeviceOwners.ROUTER_INTERFACE_DISTRIBUTED, DeviceOwners.ROUTER_INTERFACE};

  public Future<List<ArpEntry>> table(Tx tx, UUID routerId) {
    return tables(tx, List.of(routerId)).map(tables -> tables.getOrDefault(routerId, List.of()));
  }

  /** The tables of the given routers; every router asked for is a key (empty when it has no entry). */
  public Future<Map<UUID, List<ArpEntry>>> tables(Tx tx, List<UUID> routerIds) {
    return tx.all("SELECT ri.router_id, host(a.ip_address) AS ip, p.mac_address::text AS mac, a.subnet_id, p.id"
            + " FROM router_interfaces ri JOIN ip_allocations a ON a.subnet_id = ri.subnet_id"
            + " JOIN ports p ON p.id = a.port_id WHERE ri.router_id = ANY($1) AND p.device_owner <> ALL($2)"
            + " ORDER BY ri.router_id, a.ip_address", routerIds.toArray(UUID[]::new), ROUTER_OWNERS)
        .map(rows -> {
          Map<UUID, List<ArpEntry>> tables = new LinkedHashMap<>();
          routerIds.forEach(id -> tables.put(id, new ArrayList<>()));
          rows.forEach(r -> tables.get(r.getUUID("router_id")).add(ArpEntry.newBuilder()
              .setIpAddress(r.getString("ip")).setMacAddress(r.getString("mac"))
              .setSubnetId(r.getUUID("subnet_id").toString()).setPortId(r.getUUID("id").toString()).build()));
          return tables;
        });
  }
}

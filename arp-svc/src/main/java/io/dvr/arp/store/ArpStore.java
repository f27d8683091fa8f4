package io.dvr.arp.store;

import io.dvr.proto.v1.ArpEntry;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Distributed routers' ARP tables as the database holds them ({@link ArpMembership}'s rule), ordered
 * by address. Read-only over api-gateway's intent; no other service computes them.
 */
public final class ArpStore {
  private static final String[] ROUTER_OWNERS = ArpMembership.ROUTER_OWNERS;
  private static final String TABLE = "SELECT ri.router_id, host(a.ip_address) AS ip, p.mac_address::text AS mac,"
      + " a.subnet_id, p.id, a.ip_address FROM router_interfaces ri JOIN ip_allocations a ON a.subnet_id = ri.subnet_id"
      + " JOIN ports p ON p.id = a.port_id WHERE ri.router_id = ANY($1) AND p.device_owner <> ALL($2)";

  /**
   * A router's table and the snapshot it was read in: one statement, so both are of the same
   * snapshot, and the snapshot tells which later-arriving changes the table already holds.
   */
  public record Read(List<ArpEntry> entries, Snapshot snapshot) {}

  /** The snapshot of a read: transactions from {@code xmax} on, and those in {@code inProgress}, were not seen. */
  public record Snapshot(long xmax, Set<Long> inProgress) {
    public boolean sees(long transaction) {
      return transaction < xmax && !inProgress.contains(transaction);
    }
  }

  public Future<List<ArpEntry>> table(Tx tx, UUID routerId) {
    return tables(tx, List.of(routerId)).map(tables -> tables.getOrDefault(routerId, List.of()));
  }

  /** The tables of the given routers; every router asked for is a key (empty when it has no entry). */
  public Future<Map<UUID, List<ArpEntry>>> tables(Tx tx, List<UUID> routerIds) {
    return tx.all(TABLE + " ORDER BY ri.router_id, a.ip_address", routerIds.toArray(UUID[]::new), ROUTER_OWNERS)
        .map(rows -> {
          Map<UUID, List<ArpEntry>> tables = new LinkedHashMap<>();
          routerIds.forEach(id -> tables.put(id, new ArrayList<>()));
          rows.forEach(r -> tables.get(r.getUUID("router_id")).add(entry(r)));
          return tables;
        });
  }

  /** The router's table with the snapshot it was read in (outside a transaction: one statement, one snapshot). */
  public Future<Read> tableInSnapshot(Tx tx, UUID routerId) {
    return tx.all("WITH s AS (SELECT pg_snapshot_xmax(c)::text::bigint AS xmax,"
            + " ARRAY(SELECT x::text::bigint FROM pg_snapshot_xip(c) x) AS xip FROM pg_current_snapshot() c)"
            + " SELECT s.xmax, s.xip, t.* FROM s LEFT JOIN (" + TABLE + ") t ON true ORDER BY t.ip_address",
            new UUID[] {routerId}, ROUTER_OWNERS)
        .map(rows -> {
          Row first = rows.get(0);
          Snapshot snapshot = new Snapshot(first.getLong("xmax"), Set.of(first.getArrayOfLongs("xip")));
          List<ArpEntry> entries = new ArrayList<>();
          rows.stream().filter(r -> r.getValue("id") != null).forEach(r -> entries.add(entry(r)));
          return new Read(entries, snapshot);
        });
  }

  private static ArpEntry entry(Row r) {
    return ArpEntry.newBuilder().setIpAddress(r.getString("ip")).setMacAddress(r.getString("mac"))
        .setSubnetId(r.getUUID("subnet_id").toString()).setPortId(r.getUUID("id").toString()).build();
  }
}

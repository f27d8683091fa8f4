package io.dvr.gateway.store;

import io.dvr.store.Tx;
import io.vertx.core.Future;
import java.util.List;

/** How full each subnet's allocation pools are, in one query for every subnet. */
public final class SubnetUsageStore {
  /** One subnet: its network, the addresses of its pools, and how many of them are allocated. */
  public record Usage(String subnetId, String networkId, long inPools, long used) {}

  private static final String USAGE = "SELECT s.id::text AS subnet, s.network_id::text AS network,"
      + " (SELECT coalesce(sum(p.last_ip - p.first_ip + 1), 0) FROM allocation_pools p WHERE p.subnet_id = s.id)"
      + "   AS in_pools,"
      // Only addresses inside a pool count: the gateway's (outside them) would make a full pool read over 100 %.
      + " (SELECT count(*) FROM ip_allocations a WHERE a.subnet_id = s.id AND EXISTS (SELECT 1 FROM allocation_pools p"
      + "   WHERE p.subnet_id = s.id AND a.ip_address BETWEEN p.first_ip AND p.last_ip)) AS used"
      + " FROM subnets s";

  public Future<List<Usage>> all(Tx tx) {
    return tx.all(USAGE).map(rows -> rows.stream()
        .map(r -> new Usage(r.getString("subnet"), r.getString("network"), r.getLong("in_pools"), r.getLong("used")))
        .toList());
  }
}

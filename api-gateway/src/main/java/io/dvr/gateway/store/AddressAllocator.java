package io.dvr.gateway.store;

import io.dvr.common.grpc.ApiError;
import io.dvr.common.net.Ipv4;
import io.dvr.common.net.ReservedIpv4;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands out subnets' addresses without locking the subnet: per subnet an {@link AddressPool} read
 * once from the database (the allocation pools less the gateway_ip, the reserved ranges and the
 * allocated addresses, these read as runs of consecutive addresses), then taken from in memory,
 * lowest first, in O(log ranges).
 *
 * <p>Duplicates stay impossible with any number of api-gateway instances: ip_allocations' primary
 * key (subnet_id, ip_address) is the last word. A candidate another instance (or a port made before
 * this pool was read) holds is refused by the insert ({@code ON CONFLICT DO NOTHING} inserts
 * nothing, after waiting for the holder's transaction if it is still open) and the port takes the
 * next one. Addresses freed elsewhere come back when a pool runs dry: it is read again before the
 * subnet counts as exhausted. Subnets never change their pools or gateway_ip, so what is read
 * of them stays true.
 */
public final class AddressAllocator {
  /** Past this many subnets the pools are forgotten (each is read again when next used). */
  private static final int MAX_SUBNETS = 4096;
  private static final String READ = """
      SELECT true AS pool, first_ip - '0.0.0.0'::inet AS first, last_ip - '0.0.0.0'::inet AS last
        FROM allocation_pools WHERE subnet_id = $1
      UNION ALL
      SELECT false, min(v), max(v) FROM (
        SELECT v, v - row_number() OVER (ORDER BY v) AS run
          FROM (SELECT ip_address - '0.0.0.0'::inet AS v FROM ip_allocations WHERE subnet_id = $1) a) r
      GROUP BY run""";

  private final Map<UUID, AddressPool> pools = new ConcurrentHashMap<>();

  /** The lowest address of the subnet this instance believes free, taken out of its pool. */
  Future<Ipv4> take(Tx tx, SubnetInfo subnet) {
    AddressPool pool = pools.get(subnet.id());
    long ip = pool == null ? -1 : pool.takeLowest();
    if (ip >= 0) {
      return Future.succeededFuture(new Ipv4(ip));
    }
    return read(tx, subnet).map(fresh -> {
      long again = fresh.takeLowest();
      if (again < 0) {
        throw exhausted(subnet);
      }
      return new Ipv4(again);
    });
  }

  /**
   * Whether the subnet has no free address left as the database holds its allocations now: its
   * pool is read again. For a port whose candidates kept being taken by others: when they were the
   * last ones, the subnet is full, and saying so is the answer (not "try again").
   */
  Future<Boolean> exhausted(Tx tx, SubnetInfo subnet) {
    return read(tx, subnet).map(pool -> pool.ranges() == 0);
  }

  static ApiError exhausted(SubnetInfo subnet) {
    return ApiError.exhausted("subnet '" + subnet.id() + "' (" + subnet.cidr()
        + ") has no free IP address left in its allocation pools");
  }

  /** An exact address a port asked for: no longer handed out by this instance. */
  void claim(UUID subnetId, Ipv4 ip) {
    AddressPool pool = pools.get(subnetId);
    if (pool != null) {
      pool.claim(ip.value());
    }
  }

  /** An address a port took but did not keep (it failed). */
  void giveBack(UUID subnetId, Ipv4 ip) {
    AddressPool pool = pools.get(subnetId);
    if (pool != null) {
      pool.giveBack(ip.value());
    }
  }

  /** How many free ranges this instance holds for the subnet (-1: not read yet). */
  int ranges(UUID subnetId) {
    AddressPool pool = pools.get(subnetId);
    return pool == null ? -1 : pool.ranges();
  }

  private Future<AddressPool> read(Tx tx, SubnetInfo subnet) {
    return tx.all(READ, subnet.id()).map(rows -> {
      AddressPool pool = new AddressPool();
      for (Row r : rows) {
        if (r.getBoolean("pool")) {
          pool.addRange(r.getLong("first"), r.getLong("last"));
        }
      }
      if (subnet.gateway() != null) {
        pool.removeRange(subnet.gateway().value(), subnet.gateway().value());
      }
      for (ReservedIpv4.Range reserved : ReservedIpv4.RANGES) {
        pool.removeRange(reserved.cidr().first().value(), reserved.cidr().last().value());
      }
      for (Row r : rows) {
        if (!r.getBoolean("pool")) {
          pool.removeRange(r.getLong("first"), r.getLong("last"));
        }
      }
      if (pools.size() >= MAX_SUBNETS) {
        pools.clear();
      }
      pools.put(subnet.id(), pool);
      return pool;
    });
  }
}

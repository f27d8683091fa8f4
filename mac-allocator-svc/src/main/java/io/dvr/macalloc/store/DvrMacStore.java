package io.dvr.macalloc.store;

import io.dvr.common.grpc.ApiError;
import io.dvr.common.net.MacAddress;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * DVR host MACs (Neutron's dvr_host_macs): one per host, unique, from base fa:16:3f with three
 * random octets. Allocation is idempotent per host; a MAC collision is retried up to 16 times.
 * The primary key (host) and the unique MAC make concurrent allocators safe.
 */
public final class DvrMacStore {
  public static final String BASE = "fa:16:3f";
  public static final int TRIES = 16;

  private final RandomGenerator random;

  public DvrMacStore(RandomGenerator random) {
    this.random = random;
  }

  /** The host's MAC, allocating one on first request; {@code created} tells whether it is new. */
  public record Allocation(DvrHostMac mac, boolean created) {}

  public Future<Allocation> allocate(Tx tx, String host) {
    return find(tx, host).compose(existing -> existing != null
        ? Future.succeededFuture(new Allocation(existing, false))
        : tryInsert(tx, host, 0));
  }

  private Future<Allocation> tryInsert(Tx tx, String host, int attempt) {
    if (attempt >= TRIES) {
      return Future.failedFuture(ApiError.exhausted("no unique DVR MAC under " + BASE + " for host '" + host
          + "' after " + TRIES + " tries"));
    }
    MacAddress mac = MacAddress.random(BASE, random);
    return tx.one("INSERT INTO dvr_host_macs(host, mac_address) VALUES ($1, $2::text::macaddr)"
            + " ON CONFLICT DO NOTHING RETURNING host", host, mac.text())
        .compose(inserted -> {
          if (inserted.isPresent()) {
            return Future.succeededFuture(new Allocation(mac(host, mac.text()), true));
          }
          // Either another allocator gave this host a MAC meanwhile, or the MAC is taken.
          return find(tx, host).compose(existing -> existing != null
              ? Future.succeededFuture(new Allocation(existing, false))
              : tryInsert(tx, host, attempt + 1));
        });
  }

  private Future<DvrHostMac> find(Tx tx, String host) {
    return tx.one("SELECT mac_address::text AS mac FROM dvr_host_macs WHERE host = $1", host)
        .map(r -> r.map(row -> mac(host, row.getString("mac"))).orElse(null));
  }

  public Future<List<DvrHostMac>> list(Tx tx) {
    return tx.all("SELECT host, mac_address::text AS mac FROM dvr_host_macs ORDER BY host")
        .map(rows -> rows.stream().map(r -> mac(r.getString("host"), r.getString("mac"))).toList());
  }

  private static DvrHostMac mac(String host, String mac) {
    return DvrHostMac.newBuilder().setHost(host).setMacAddress(mac).build();
  }
}

package io.dvr.gateway;

import io.dvr.gateway.store.SubnetUsageStore;
import io.dvr.gateway.store.SubnetUsageStore.Usage;
import io.dvr.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IP pool usage per subnet: {@code dvr_subnet_ips_used{subnet,network}} (addresses of the pools
 * allocated) and {@code dvr_subnet_ips_in_pools{subnet,network}} (addresses the pools hold). Read
 * from the database every {@code gateway.meters-seconds}, so a scrape costs no query however often
 * it comes; a deleted subnet's series goes at the next refresh.
 */
final class SubnetMeters {
  private static final Logger LOG = LoggerFactory.getLogger(SubnetMeters.class);
  private final MultiGauge used;
  private final MultiGauge inPools;
  private final Store store;
  private final SubnetUsageStore usage = new SubnetUsageStore();

  SubnetMeters(MeterRegistry registry, Store store) {
    this.store = store;
    used = MultiGauge.builder("dvr.subnet.ips.used").description("addresses of the subnet's allocation pools allocated")
        .register(registry);
    inPools = MultiGauge.builder("dvr.subnet.ips.in.pools").description("addresses in the subnet's allocation pools")
        .register(registry);
  }

  /** Refreshes now and then every period; returns the timer id. */
  long start(Vertx vertx, long periodMillis) {
    refresh();
    return vertx.setPeriodic(periodMillis, id -> refresh());
  }

  /** A failure (database lost) leaves the last values until the next period. */
  Future<Void> refresh() {
    return store.read(usage::all).onSuccess(subnets -> {
      used.register(rows(subnets, Usage::used), true);
      inPools.register(rows(subnets, Usage::inPools), true);
    }).onFailure(err -> LOG.debug("subnet meters not refreshed: {}", err.toString())).mapEmpty();
  }

  private static List<MultiGauge.Row<?>> rows(List<Usage> subnets, ToLongFunction<Usage> value) {
    return subnets.stream()
        .<MultiGauge.Row<?>>map(u -> MultiGauge.Row.of(Tags.of("subnet", u.subnetId(), "network", u.networkId()),
            value.applyAsLong(u)))
        .toList();
  }
}

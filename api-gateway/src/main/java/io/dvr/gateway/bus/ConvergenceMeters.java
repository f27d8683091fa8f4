package io.dvr.gateway.bus;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The convergence meters of api-gateway: {@code dvr_hosts_out_of_sync} (hosts whose last apply
 * failed or that hold a router copy not seeing the router's last change, counted every few
 * seconds) and {@code dvr_change_applied_seconds} (a histogram: a change's commit to the report of
 * a host whose router copy sees it, once per host and router).
 */
public final class ConvergenceMeters {
  private static final Duration[] BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
      Duration.ofSeconds(60), Duration.ofSeconds(120)};
  /** One value per process (the lab runs several instances in one): the last count any of them made. */
  private static final AtomicLong OUT_OF_SYNC = new AtomicLong();

  private final Timer changeApplied;

  public ConvergenceMeters(MeterRegistry registry) {
    Gauge.builder("dvr.hosts.out.of.sync", OUT_OF_SYNC, AtomicLong::get)
        .description("hosts whose last apply failed or that hold a router copy older than its last change")
        .register(registry);
    this.changeApplied = Timer.builder("dvr.change.applied")
        .description("a change's commit to the report of a host that applied it (per host and router)")
        .serviceLevelObjectives(BUCKETS).register(registry);
  }

  void applied(double seconds) {
    changeApplied.record(Duration.ofNanos((long) (Math.max(0, seconds) * 1e9)));
  }

  public void outOfSync(long hosts) {
    OUT_OF_SYNC.set(hosts);
  }
}

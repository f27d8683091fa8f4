package io.dvr.agent.sync;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One host's apply meters: {@code dvr_agent_apply_seconds} (a histogram, by whether the apply was
 * in full or of some routers), {@code dvr_agent_apply_operations_total} and
 * {@code dvr_agent_apply_failures_total}, each labelled with the host.
 */
final class ApplyMeters {
  private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10), Duration.ofSeconds(30)};

  private final Timer full;
  private final Timer routers;
  private final Counter operations;
  private final Counter failures;

  ApplyMeters(MeterRegistry registry, String host) {
    this.full = timer(registry, host, "full");
    this.routers = timer(registry, host, "routers");
    this.operations = Counter.builder("dvr.agent.apply.operations")
        .description("operations the host's applies ran on the dataplane").tag("host", host).register(registry);
    this.failures = Counter.builder("dvr.agent.apply.failures")
        .description("applies that failed (each is tried again in full)").tag("host", host).register(registry);
  }

  private static Timer timer(MeterRegistry registry, String host, String scope) {
    return Timer.builder("dvr.agent.apply").description("time of one apply on the host's dataplane")
        .tags("host", host, "scope", scope).serviceLevelObjectives(BUCKETS).register(registry);
  }

  void applied(boolean inFull, int ops, long nanos) {
    (inFull ? full : routers).record(nanos, TimeUnit.NANOSECONDS);
    operations.increment(ops);
  }

  void failed() {
    failures.increment();
  }
}

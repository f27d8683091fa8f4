package io.dvr.store;

import io.dvr.common.Metrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The outbox's meters: {@code dvr_outbox_pending} (rows committed and not yet published, as the
 * last poll counted them) and {@code dvr_outbox_publish_lag_seconds} (a histogram of the time from
 * a change's commit to its event's publication, by the database's clock and this host's).
 */
final class OutboxMeters {
  private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30)};
  /** One set per process (a process with two relays shares it). */
  static final OutboxMeters SHARED = new OutboxMeters(Metrics.registry());

  private final AtomicLong pending = new AtomicLong();
  private final Timer lag;

  private OutboxMeters(MeterRegistry registry) {
    Gauge.builder("dvr.outbox.pending", pending, AtomicLong::get)
        .description("outbox rows committed and not yet published").register(registry);
    lag = Timer.builder("dvr.outbox.publish.lag").description("time from a change's commit to its event's publication")
        .serviceLevelObjectives(BUCKETS).register(registry);
  }

  void pending(long rows) {
    pending.set(rows);
  }

  void published(OffsetDateTime committedAt) {
    long nanos = Duration.between(committedAt.toInstant(), Instant.now()).toNanos();
    lag.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }
}

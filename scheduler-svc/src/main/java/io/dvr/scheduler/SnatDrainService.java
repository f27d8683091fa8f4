package io.dvr.scheduler;

import io.dvr.common.ServiceResources;
import io.dvr.scheduler.store.SnatDrains;
import io.dvr.store.Store;
import io.vertx.core.Future;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the drains ({@link SnatDrains}) every {@code snat.lease-check-ms}: starts the moves due
 * (an HA router active on an admin-down or removed host), ends those whose new host claimed, undoes
 * those that timed out (logged; the router is not drained again before another timeout has
 * passed, a hold kept in the database so that another scheduler instance waits too). Each step
 * tells the hosts concerned and reschedules the router. One pass at a time.
 */
final class SnatDrainService {
  private static final Logger LOG = LoggerFactory.getLogger(SnatDrainService.class);

  private final Store store;
  private final SnatDrains drains;
  private final long timeoutMillis;
  private final ServiceResources held;
  private final BiConsumer<UUID, String> tell;
  private final Consumer<UUID> reschedule;
  private boolean checking;

  SnatDrainService(Store store, long timeoutMillis, ServiceResources held, BiConsumer<UUID, String> tell,
      Consumer<UUID> reschedule) {
    this.store = store;
    this.drains = new SnatDrains(timeoutMillis);
    this.timeoutMillis = timeoutMillis;
    this.held = held;
    this.tell = tell;
    this.reschedule = reschedule;
  }

  void start(long checkMillis) {
    held.periodic(checkMillis, this::check);
  }

  /** One pass over the drains due; completes when it has run (at once when one runs already), failed as it failed. */
  Future<Void> check() {
    if (checking || held.stopped()) {
      return Future.succeededFuture();
    }
    checking = true;
    return store.read(drains::due)
        .compose(due -> Future.join(due.stream().map(this::step).toList()))
        .onFailure(err -> LOG.warn("SNAT drain check failed: {}", err.toString()))
        .onComplete(done -> checking = false)
        .mapEmpty();
  }

  private Future<?> step(SnatDrains.Due due) {
    UUID router = due.routerId();
    return switch (due.step()) {
      case START -> store.write(tx -> drains.start(tx, router)).onSuccess(move -> move.ifPresent(m -> {
        LOG.info("router {}: draining its SNAT from {}: {} is active now, {} keeps the addresses until {} claims them",
            router, m.from(), m.to(), m.from(), m.to());
        tell.accept(router, m.to());
        tell.accept(router, m.from());
      }));
      case FINISH -> store.write(tx -> drains.finish(tx, router)).onSuccess(host -> host.ifPresent(h -> {
        LOG.info("router {}: SNAT drained from {}", router, h);
        tell.accept(router, h);
        reschedule.accept(router);
      }));
      case ABORT -> store.write(tx -> drains.abort(tx, router)).onSuccess(move -> move.ifPresent(m -> {
        LOG.warn("router {}: {} did not claim the SNAT within snat.drain-timeout-ms ({} ms): {} stays active,"
            + " the drain is tried again later", router, m.from(), timeoutMillis, m.to());
        tell.accept(router, m.from());
        tell.accept(router, m.to());
      }));
    };
  }
}

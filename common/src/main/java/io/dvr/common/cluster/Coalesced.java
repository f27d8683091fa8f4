package io.dvr.common.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VertxException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Work that many callers may ask for at once and one run serves: each request is answered by a
 * run that started after it was made, and requests made while a run waits share it.
 */
final class Coalesced {
  private final Executor executor;
  private final Runnable action;
  private List<Promise<Void>> waiting = new ArrayList<>();
  private boolean queued;

  Coalesced(Executor executor, Runnable action) {
    this.executor = executor;
    this.action = action;
  }

  synchronized Future<Void> request() {
    Promise<Void> done = Promise.promise();
    waiting.add(done);
    if (!queued) {
      try {
        executor.execute(this::run);
        queued = true;
      } catch (RejectedExecutionException e) {
        waiting.remove(done);
        return Future.failedFuture(new VertxException("the cluster manager has left the cluster", true));
      }
    }
    return done.future();
  }

  private void run() {
    List<Promise<Void>> served;
    synchronized (this) {
      served = waiting;
      waiting = new ArrayList<>();
      queued = false;
    }
    try {
      action.run();
      served.forEach(Promise::complete);
    } catch (RuntimeException e) {
      served.forEach(p -> p.fail(e));
    }
  }
}

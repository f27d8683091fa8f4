package io.dvr.common.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VertxException;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one "dvr-bus-trust" thread of a member: signing, verifying and Hazelcast map access for the
 * routing records, in the order asked, never on an event loop. Work asked after {@link #stop} is
 * refused (a future fails, a task is dropped).
 */
final class TrustThread implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(TrustThread.class);
  private final ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, r -> {
    Thread t = new Thread(r, "dvr-bus-trust");
    t.setDaemon(true);
    return t;
  });

  TrustThread() {
    thread.setRemoveOnCancelPolicy(true);
  }

  @Override
  public void execute(Runnable task) {
    thread.execute(task);
  }

  /** Runs {@code work} there; its result or failure completes the future. */
  <T> Future<T> call(Callable<T> work) {
    Promise<T> done = Promise.promise();
    try {
      thread.execute(() -> {
        try {
          done.complete(work.call());
        } catch (Throwable t) {
          done.fail(t);
        }
      });
    } catch (RejectedExecutionException e) {
      done.fail(new VertxException("the cluster manager has left the cluster", true));
    }
    return done.future();
  }

  /** Runs {@code work} there; a failure is logged. */
  void submit(Runnable work) {
    schedule(work, 0);
  }

  void schedule(Runnable work, long delaySeconds) {
    try {
      thread.schedule(() -> {
        try {
          work.run();
        } catch (RuntimeException e) {
          LOG.warn("event-bus trust work failed: {}", e.toString());
        }
      }, delaySeconds, TimeUnit.SECONDS);
    } catch (RejectedExecutionException leaving) {
      // left the cluster: nothing more to route
    }
  }

  void every(Runnable work, long seconds) {
    thread.scheduleWithFixedDelay(work, seconds, seconds, TimeUnit.SECONDS);
  }

  void stop() {
    thread.shutdownNow();
  }
}

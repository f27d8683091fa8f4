package io.dvr.store;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * For tests of a service whose state lives on one Vert.x context: a step run there, and a wait for
 * what the service does there in its own time.
 */
public final class OnContext {
  private OnContext() {}

  /** Runs {@code action} on the context and returns what it returned (or throws what it threw). */
  public static <T> T on(Context context, Callable<T> action) throws Exception {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> {
      try {
        result.complete(action.call());
      } catch (Exception e) {
        result.fail(e);
      }
    });
    return EmbeddedStore.await(result.future());
  }

  /** Waits until the condition holds, 30 s at the most (then fails). */
  public static void awaitCondition(Callable<Boolean> condition) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within 30 s");
      }
      Thread.sleep(20);
    }
  }
}

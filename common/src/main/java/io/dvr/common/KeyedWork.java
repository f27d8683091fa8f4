package io.dvr.common;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker per key (a router, a host): while work for a key runs, new requests for it are
 * merged into one more run after it. Failures are logged and the key runs again when asked.
 * Use from one event-loop context only.
 */
public final class KeyedWork<K> {
  private static final Logger LOG = LoggerFactory.getLogger(KeyedWork.class);

  private final String what;
  private final Function<K, Future<?>> work;
  private final Map<K, Boolean> running = new HashMap<>();

  public KeyedWork(String what, Function<K, Future<?>> work) {
    this.what = what;
    this.work = work;
  }

  /** Runs the work for the key now, or once more after the run in progress. */
  public void request(K key) {
    if (running.containsKey(key)) {
      running.put(key, true);
      return;
    }
    running.put(key, false);
    Future<?> run;
    try {
      run = work.apply(key);
    } catch (RuntimeException e) {
      run = Future.failedFuture(e);
    }
    run.onComplete(res -> {
      if (res.failed()) {
        LOG.warn("{} {} failed: {}", what, key, res.cause().toString());
      }
      boolean again = running.remove(key);
      if (again) {
        request(key);
      }
    });
  }

  public int inFlight() {
    return running.size();
  }
}

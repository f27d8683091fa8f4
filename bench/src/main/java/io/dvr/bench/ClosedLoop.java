package io.dvr.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A closed-loop load driver: {@code clients} requests are in flight at once and each client
 * issues its next request as soon as its previous one completes, so the offered load adapts to
 * the server instead of queueing up behind it (no coordinated-omission backlog to hide).
 */
final class ClosedLoop {
  /** Latencies in nanoseconds of the successful requests, errors, and the phase's wall time. */
  record Outcome(long[] latenciesNanos, List<String> errors, long wallNanos) {}

  private final int total;
  private final IntFunction<Future<?>> request;
  private final long[] latencies;
  private final boolean[] ok;
  private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger issued = new AtomicInteger();
  private final AtomicInteger completed = new AtomicInteger();
  private final Promise<Outcome> done = Promise.promise();
  private long startNanos;

  private ClosedLoop(int total, IntFunction<Future<?>> request) {
    this.total = total;
    this.request = request;
    this.latencies = new long[total];
    this.ok = new boolean[total];
  }

  /**
   * Runs {@code total} requests with {@code clients} in flight, on the given client context so
   * that issuing and completion handling stay on the client's event loop.
   */
  static Future<Outcome> run(Context context, int clients, int total, IntFunction<Future<?>> request) {
    ClosedLoop loop = new ClosedLoop(total, request);
    if (total == 0) {
      return Future.succeededFuture(new Outcome(new long[0], List.of(), 0));
    }
    context.runOnContext(v -> {
      loop.startNanos = System.nanoTime();
      for (int c = 0; c < Math.min(clients, total); c++) {
        loop.next();
      }
    });
    return loop.done.future();
  }

  private void next() {
    int i = issued.getAndIncrement();
    if (i >= total) {
      return;
    }
    long t0 = System.nanoTime();
    Future<?> response;
    try {
      response = request.apply(i);
    } catch (RuntimeException e) {
      response = Future.failedFuture(e);
    }
    response.onComplete(ar -> {
      latencies[i] = System.nanoTime() - t0;
      ok[i] = ar.succeeded();
      if (ar.failed()) {
        errors.add(String.valueOf(ar.cause()));
      }
      // The counter's atomic update publishes latencies[i] and ok[i] to whoever sees the last completion.
      if (completed.incrementAndGet() == total) {
        finish(System.nanoTime() - startNanos);
      } else {
        next();
      }
    });
  }

  private void finish(long wallNanos) {
    int good = 0;
    for (boolean b : ok) {
      good += b ? 1 : 0;
    }
    long[] successful = new long[good];
    for (int i = 0, j = 0; i < total; i++) {
      if (ok[i]) {
        successful[j++] = latencies[i];
      }
    }
    done.complete(new Outcome(successful, List.copyOf(errors), wallNanos));
  }
}

package io.dvr.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Setup-time waits on the benchmark's main thread (never used to time a measurement): between
 * checks it waits for a Vert.x timer. They refuse to run on an event-loop thread, where a wait
 * would stall the services being measured.
 */
final class Waits {
  private static final long STEP_MS = 20;

  private Waits() {}

  static void until(Vertx vertx, String what, long timeoutMs, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeoutMs + " ms waiting until " + what);
      }
      sleep(vertx, STEP_MS);
    }
  }

  /** Waits until no host has applied anything for quietMs: the control plane has settled. */
  static void quiet(Vertx vertx, List<SimHost> hosts, long quietMs, long timeoutMs) {
    until(vertx, "no host applied anything for " + quietMs + " ms", timeoutMs, () -> isQuiet(hosts, quietMs));
  }

  static boolean isQuiet(List<SimHost> hosts, long quietMs) {
    long last = hosts.stream().mapToLong(h -> h.facts.lastApplyNanos()).max().orElse(0);
    return System.nanoTime() - last >= quietMs * 1_000_000;
  }

  /** Waits for a timer of ms on the given Vert.x. */
  static void sleep(Vertx vertx, long ms) {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException("refusing to wait " + ms + " ms on an event-loop thread");
    }
    vertx.timer(ms).await();
  }
}

package io.dvr.bench;

import io.dvr.agent.model.Neighbour;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Notices when one expected permanent neighbour is present in a namespace on every host. In
 * hook mode each host is checked right after each of its applies (see {@link WatchedFacts}):
 * the time taken is when the apply that installed the entry finished. In poll mode a Vert.x
 * periodic timer checks the hosts that lack it every pollMs, on a worker thread, so the
 * resolution is pollMs plus one scan.
 */
final class ArpProbe {
  /** One awaited entry; seenAt holds System.nanoTime() per host index, 0 while absent. */
  static final class Sample {
    final String namespace;
    final Neighbour expected;
    final long startNanos;
    final AtomicLongArray seenAt;
    final AtomicInteger missing;
    final Promise<Void> done = Promise.promise();

    Sample(String namespace, Neighbour expected, int hosts, long startNanos) {
      this.namespace = namespace;
      this.expected = expected;
      this.startNanos = startNanos;
      this.seenAt = new AtomicLongArray(hosts);
      this.missing = new AtomicInteger(hosts);
    }

    /** From the request to the first host holding the entry. */
    long firstNanos() {
      long first = Long.MAX_VALUE;
      for (int i = 0; i < seenAt.length(); i++) {
        first = Math.min(first, seenAt.get(i));
      }
      return first - startNanos;
    }

    /** From the request to the last host holding the entry: convergence. */
    long lastNanos() {
      long last = 0;
      for (int i = 0; i < seenAt.length(); i++) {
        last = Math.max(last, seenAt.get(i));
      }
      return last - startNanos;
    }
  }

  private final List<SimHost> hosts;
  private final boolean hook;
  private volatile Sample current;
  private final AtomicBoolean scanning = new AtomicBoolean();

  ArpProbe(Vertx vertx, List<SimHost> hosts, long pollMs) {
    this.hosts = hosts;
    this.hook = pollMs <= 0;
    for (int i = 0; i < hosts.size(); i++) {
      int index = i;
      hosts.get(i).facts.watch(facts -> {
        Sample s = current;
        if (hook && s != null) {
          check(s, index);
        }
      });
    }
    if (!hook) {
      vertx.setPeriodic(pollMs, id -> scan(vertx));
    }
  }

  /** Starts awaiting a neighbour; the clock starts now, so call it just before sending the request. */
  Sample expect(String namespace, Neighbour expected) {
    Sample s = new Sample(namespace, expected, hosts.size(), System.nanoTime());
    current = s;
    return s;
  }

  void clear() {
    current = null;
  }

  private void scan(Vertx vertx) {
    Sample s = current;
    if (s == null || !scanning.compareAndSet(false, true)) {
      return;
    }
    vertx.executeBlocking(() -> {
      for (int i = 0; i < hosts.size(); i++) {
        check(s, i);
      }
      return null;
    }, false).onComplete(v -> scanning.set(false));
  }

  private void check(Sample s, int index) {
    // Taken before the check, so that the check's own cost is not counted.
    long now = System.nanoTime();
    if (s.seenAt.get(index) != 0 || !hosts.get(index).holdsNeighbour(s.namespace, s.expected)) {
      return;
    }
    if (s.seenAt.compareAndSet(index, 0, now) && s.missing.decrementAndGet() == 0) {
      s.done.tryComplete();
    }
  }
}

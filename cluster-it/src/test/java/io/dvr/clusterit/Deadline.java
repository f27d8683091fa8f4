package io.dvr.clusterit;

import java.time.Duration;
import java.util.function.Supplier;

/** A polling loop's time limit: fails with a message saying what was still missing, or which process died. */
final class Deadline {
  private static final long POLL_MILLIS = 100;
  private final long end;
  private final Duration atMost;
  private final Supplier<String> missing;

  Deadline(Duration atMost, Supplier<String> missing) {
    this.end = System.nanoTime() + atMost.toNanos();
    this.atMost = atMost;
    this.missing = missing;
  }

  void check() {
    if (System.nanoTime() > end) {
      throw new AssertionError("not within " + atMost.toSeconds() + " s: " + missing.get());
    }
  }

  /** As {@link #check()}, and fails at once when the process has exited. */
  void check(JvmProcess process) {
    if (!process.alive()) {
      throw new AssertionError(process + " exited while " + missing.get() + "\n" + process.tail(40));
    }
    check();
  }

  /** The poll interval between two looks. */
  void pause() {
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting: " + missing.get());
    }
  }
}

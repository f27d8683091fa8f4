package io.dvr.agent.sync;

/**
 * Delays between retries of a failing apply: {@code base} after the first failure, doubling
 * after each further one up to {@code max}; a success starts again from {@code base}. A value,
 * so that the sequence can be checked without waiting for it.
 *
 * @param current the delay of the last failure, 0 when the last apply succeeded
 */
record Backoff(long base, long max, long current) {

  /** 1 s doubling to 30 s, as a device that stays busy is given time without leaving the host stale long. */
  static final Backoff APPLY = of(1_000, 30_000);

  static Backoff of(long base, long max) {
    if (base <= 0 || max < base) {
      throw new IllegalArgumentException("backoff base " + base + " ms must be positive and at most max " + max + " ms");
    }
    return new Backoff(base, max, 0);
  }

  /** The backoff after one more failure; its {@link #current()} is the delay to wait. */
  Backoff failed() {
    return new Backoff(base, max, current == 0 ? base : Math.min(current * 2, max));
  }

  Backoff succeeded() {
    return new Backoff(base, max, 0);
  }
}

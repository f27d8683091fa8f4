package io.dvr.arp;

import java.util.TreeMap;

/**
 * The outbox sequences heard, to tell a change that never came: every committed change has one
 * (the outbox numbers them), and a number missing for longer than {@code gapMillis} (more than a
 * dead writer's grace before the relay publishes its rows) means a change was lost on the way, or a
 * transaction rolled back after taking its number. Either way the tables patched since may miss
 * something: the caller reads them again. Events without a sequence (not from the outbox) and
 * those below what has been accounted for (republished ones) tell nothing. Use from one context.
 */
final class ChangeGaps {
  private final long gapMillis;
  /** Every sequence up to this one is accounted for; -1: nothing heard yet. */
  private long upTo = -1;
  /** Sequences heard above {@code upTo}, with when each was heard: the lowest hole was missing then already. */
  private final TreeMap<Long, Long> ahead = new TreeMap<>();

  ChangeGaps(long gapMillis) {
    this.gapMillis = gapMillis;
  }

  /** A sequence heard at {@code nowMillis}. */
  void heard(long sequence, long nowMillis) {
    if (sequence <= 0) {
      return;
    }
    if (upTo < 0) {
      upTo = sequence;
      return;
    }
    if (sequence <= upTo || ahead.containsKey(sequence)) {
      return;
    }
    ahead.put(sequence, nowMillis);
    while (ahead.containsKey(upTo + 1)) {
      ahead.remove(++upTo);
    }
  }

  long gapMillis() {
    return gapMillis;
  }

  /** Whether a sequence is missing now (it may still come). */
  boolean open() {
    return !ahead.isEmpty();
  }

  /**
   * Whether a sequence has been missing for longer than the gap time at {@code nowMillis}; if so
   * every hole so far is given up on (the caller reads its tables again, which covers them).
   */
  boolean lost(long nowMillis) {
    long since = ahead.values().stream().mapToLong(Long::longValue).min().orElse(nowMillis);
    if (nowMillis - since <= gapMillis) {
      return false;
    }
    upTo = ahead.lastKey();
    ahead.clear();
    return true;
  }
}

package io.dvr.common.cluster;

import java.util.HashMap;
import java.util.Map;

/** At most one log line per subject and interval: a stranger writing in a loop must not flood the log. */
final class Throttle {
  private static final int SUBJECTS = 256;
  private final long intervalMillis;
  private final Map<String, Long> last = new HashMap<>();

  Throttle(long intervalMillis) {
    this.intervalMillis = intervalMillis;
  }

  synchronized boolean allow(String subject) {
    long now = System.currentTimeMillis();
    Long before = last.get(subject);
    if (before != null && now - before < intervalMillis) {
      return false;
    }
    if (last.size() >= SUBJECTS) {
      last.clear();
    }
    last.put(subject, now);
    return true;
  }
}

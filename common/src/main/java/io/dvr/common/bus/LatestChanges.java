package io.dvr.common.bus;

import io.dvr.proto.v1.ResourceChanged;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A receiver's intake of {@code ResourceChanged}: remembers, per resource, the sequence of the
 * latest change it took, and takes an event only if it is newer. A change published twice (by its
 * writer right after the commit, then by the outbox relay) is taken once; an older change arriving
 * after a newer one of the same resource changes nothing (the newer one's receiver already read
 * the state both left behind). Events without a sequence (not from the outbox) are always taken.
 *
 * <p>Bounded: beyond {@code capacity} resources the least recently changed is forgotten, and an old
 * event of it would be taken again, which costs work but not correctness (receivers read back).
 * Thread-safe.
 */
public final class LatestChanges {
  public static final int DEFAULT_CAPACITY = 100_000;

  private final Map<String, Long> latest;
  private long taken;
  private long skipped;

  public LatestChanges() {
    this(DEFAULT_CAPACITY);
  }

  public LatestChanges(int capacity) {
    this.latest = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
        return size() > capacity;
      }
    };
  }

  /** Whether the event is newer than every change of its resource taken so far; if so it is noted. */
  public synchronized boolean take(ResourceChanged event) {
    long sequence = event.getSequence();
    if (sequence > 0) {
      Long last = latest.get(event.getResourceId());
      if (last != null && last >= sequence) {
        skipped++;
        return false;
      }
      latest.put(event.getResourceId(), sequence);
    }
    taken++;
    return true;
  }

  /** Events taken so far. */
  public synchronized long taken() {
    return taken;
  }

  /** Repeated or out-of-date events left so far. */
  public synchronized long skipped() {
    return skipped;
  }
}

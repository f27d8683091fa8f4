package io.dvr.gateway.store;

import java.util.Map;
import java.util.TreeMap;

/**
 * The free addresses of one subnet as one api-gateway knows them: disjoint ranges of IPv4 values,
 * keyed by their first address (Neutron's availability ranges, kept in memory). Taking the lowest
 * free address, claiming a given one and giving one back each cost O(log ranges), however many
 * addresses the subnet has handed out. A hint, not the truth: ip_allocations' primary key decides.
 */
final class AddressPool {
  /** First address of a free range -> its last address (inclusive). */
  private final TreeMap<Long, Long> free = new TreeMap<>();

  /** Adds a free range (it must not overlap one already held). */
  synchronized void addRange(long first, long last) {
    if (first > last) {
      return;
    }
    // Merging with the neighbours keeps the map small.
    Map.Entry<Long, Long> before = free.floorEntry(first - 1);
    if (before != null && before.getValue() >= first - 1) {
      first = before.getKey();
      last = Math.max(last, before.getValue());
      free.remove(before.getKey());
    }
    Map.Entry<Long, Long> after = free.ceilingEntry(first);
    while (after != null && after.getKey() <= last + 1) {
      last = Math.max(last, after.getValue());
      free.remove(after.getKey());
      after = free.ceilingEntry(first);
    }
    free.put(first, last);
  }

  /** Removes a range from the free ones, wherever it overlaps them. */
  synchronized void removeRange(long first, long last) {
    // What is left of a cut range lies outside [first, last], so the loop ends.
    while (true) {
      Map.Entry<Long, Long> e = free.floorEntry(last);
      if (e == null || e.getValue() < first) {
        return;
      }
      long start = e.getKey();
      long end = e.getValue();
      free.remove(start);
      if (start < first) {
        free.put(start, first - 1);
      }
      if (end > last) {
        free.put(last + 1, end);
      }
    }
  }

  /** The lowest free address, now no longer free; -1 when none is left. */
  synchronized long takeLowest() {
    Map.Entry<Long, Long> e = free.firstEntry();
    if (e == null) {
      return -1;
    }
    long ip = e.getKey();
    free.remove(ip);
    if (e.getValue() > ip) {
      free.put(ip + 1, e.getValue());
    }
    return ip;
  }

  /** Takes this address out of the free ones; whether it was free. */
  synchronized boolean claim(long ip) {
    Map.Entry<Long, Long> e = free.floorEntry(ip);
    if (e == null || e.getValue() < ip) {
      return false;
    }
    removeRange(ip, ip);
    return true;
  }

  /** Makes an address free again (a port that failed gave it back). */
  synchronized void giveBack(long ip) {
    Map.Entry<Long, Long> e = free.floorEntry(ip);
    if (e != null && e.getValue() >= ip) {
      return;
    }
    addRange(ip, ip);
  }

  synchronized void clear() {
    free.clear();
  }

  /** How many free ranges (not addresses) there are. */
  synchronized int ranges() {
    return free.size();
  }

  synchronized long freeAddresses() {
    long n = 0;
    for (Map.Entry<Long, Long> e : free.entrySet()) {
      n += e.getValue() - e.getKey() + 1;
    }
    return n;
  }
}

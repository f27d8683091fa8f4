package io.dvr.agent.render;

import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Values from {@code first..last} assigned to keys (FIP rule priorities per fixed IP, link-local
 * pairs per router, local VLANs per network). Values are unique.
 */
public record Allocations(int first, int last, SortedMap<String, Integer> assigned) {

  public Allocations {
    if (first > last) {
      throw new IllegalArgumentException("empty allocation range " + first + ".." + last);
    }
    Set<Integer> seen = new HashSet<>();
    for (Map.Entry<String, Integer> e : assigned.entrySet()) {
      int v = e.getValue();
      if (v < first || v > last || !seen.add(v)) {
        throw new IllegalArgumentException("allocation " + e + " is outside " + first + ".." + last + " or taken twice");
      }
    }
    assigned = Collections.unmodifiableSortedMap(new TreeMap<>(assigned));
  }

  public static Allocations empty(int first, int last) {
    return new Allocations(first, last, new TreeMap<>());
  }

  /**
   * Keeps the values of keys still needed (so they survive restarts once persisted), releases
   * the others, and gives each new key the lowest free value, new keys taken in sorted order.
   *
   * @throws IllegalStateException when the range has no free value left
   */
  public static Allocations assign(Allocations previous, Collection<String> needed) {
    SortedMap<String, Integer> next = new TreeMap<>();
    BitSet used = new BitSet();
    for (String key : new TreeSet<>(needed)) {
      Integer old = previous.assigned.get(key);
      if (old != null) {
        next.put(key, old);
        used.set(old - previous.first);
      }
    }
    int size = previous.last - previous.first + 1;
    for (String key : new TreeSet<>(needed)) {
      if (!next.containsKey(key)) {
        int free = used.nextClearBit(0);
        if (free >= size) {
          throw new IllegalStateException("no free value in " + previous.first + ".." + previous.last + " for '" + key
              + "' (" + next.size() + " taken)");
        }
        used.set(free);
        next.put(key, previous.first + free);
      }
    }
    return new Allocations(previous.first, previous.last, next);
  }

  public OptionalInt valueOf(String key) {
    Integer v = assigned.get(key);
    return v == null ? OptionalInt.empty() : OptionalInt.of(v);
  }

  /** The value of a key the caller has allocated before rendering; missing means a shell bug. */
  int require(String key, String what) {
    Integer v = assigned.get(key);
    if (v == null) {
      throw new IllegalStateException("no " + what + " allocated for '" + key
          + "'; call HostFacts.allocate(routers) before rendering");
    }
    return v;
  }

  /** This with {@code key} pinned to {@code value}, e.g. to load a persisted value. */
  public Allocations with(String key, int value) {
    SortedMap<String, Integer> next = new TreeMap<>(assigned);
    next.put(key, value);
    return new Allocations(first, last, next);
  }
}

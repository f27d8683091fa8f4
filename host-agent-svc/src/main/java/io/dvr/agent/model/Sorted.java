package io.dvr.agent.model;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/** Defensive copies into unmodifiable sorted collections, so records stay immutable and comparable. */
final class Sorted {
  private Sorted() {}

  static <T extends Comparable<? super T>> SortedSet<T> set(Collection<T> items) {
    return SortedArraySet.of(items);
  }

  static <K extends Comparable<? super K>, V> SortedMap<K, V> map(Map<K, V> items) {
    return Collections.unmodifiableSortedMap(new TreeMap<>(items));
  }
}

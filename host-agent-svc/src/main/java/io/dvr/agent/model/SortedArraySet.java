package io.dvr.agent.model;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SortedSet;

/**
 * An immutable set in natural order, held as a sorted array. A model record copies every set it
 * is given; one of these it keeps as it is, and a changed copy ({@link #with}) is one array, not a
 * tree node per element: a host's ARP table is rebuilt on every ARP update of every host.
 */
final class SortedArraySet<T extends Comparable<? super T>> extends AbstractSet<T> implements SortedSet<T> {
  private static final SortedArraySet<?> EMPTY = new SortedArraySet<>(new Comparable<?>[0], 0, 0);

  private final Object[] items;
  private final int from;
  private final int to;

  private SortedArraySet(Object[] items, int from, int to) {
    this.items = items;
    this.from = from;
    this.to = to;
  }

  /** The items in natural order without duplicates (by {@code compareTo}); the same set when it is one already. */
  @SuppressWarnings("unchecked")
  static <T extends Comparable<? super T>> SortedArraySet<T> of(Collection<? extends T> items) {
    if (items instanceof SortedArraySet<?> s) {
      return (SortedArraySet<T>) s;
    }
    if (items.isEmpty()) {
      return (SortedArraySet<T>) EMPTY;
    }
    Object[] a = items.toArray();
    boolean sortedAlready = items instanceof SortedSet<?> s && s.comparator() == null;
    if (!sortedAlready) {
      Arrays.sort(a);
    }
    int n = sortedAlready ? a.length : unique(a);
    return new SortedArraySet<>(a, 0, n);
  }

  /** Moves the distinct items of a sorted array to its front; returns how many there are. */
  @SuppressWarnings("unchecked")
  private static int unique(Object[] a) {
    int n = 1;
    for (int i = 1; i < a.length; i++) {
      if (((Comparable<Object>) a[n - 1]).compareTo(a[i]) != 0) {
        a[n++] = a[i];
      }
    }
    return n;
  }

  /** This set without {@code gone} and with {@code added}, made in one copy. */
  SortedArraySet<T> with(Collection<? extends T> gone, Collection<? extends T> added) {
    if (gone.isEmpty() && added.isEmpty()) {
      return this;
    }
    SortedArraySet<T> remove = of(gone);
    SortedArraySet<T> add = of(added);
    Object[] out = new Object[size() + add.size()];
    int n = 0;
    int i = from;
    int j = add.from;
    while (i < to || j < add.to) {
      int c = i == to ? 1 : j == add.to ? -1 : compare(items[i], add.items[j]);
      Object next = c <= 0 ? items[i] : add.items[j];
      if (c <= 0) {
        i++;
      }
      if (c >= 0) {
        j++;
      }
      if (c >= 0 || !remove.contains(next)) { // an added item stays even when also removed
        out[n++] = next;
      }
    }
    return new SortedArraySet<>(out, 0, n);
  }

  @SuppressWarnings("unchecked")
  private static int compare(Object a, Object b) {
    return ((Comparable<Object>) a).compareTo(b);
  }

  /** The first index in [from, to) whose item is not below {@code item}. */
  private int lowerBound(Object item) {
    int lo = from;
    int hi = to;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (compare(items[mid], item) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  @Override
  public boolean contains(Object o) {
    if (o == null || isEmpty()) {
      return false;
    }
    try {
      int at = lowerBound(o);
      return at < to && compare(items[at], o) == 0;
    } catch (ClassCastException notOurs) {
      return false;
    }
  }

  @Override
  public int size() {
    return to - from;
  }

  @Override
  public Iterator<T> iterator() {
    return new Iterator<>() {
      private int next = from;

      @Override
      public boolean hasNext() {
        return next < to;
      }

      @Override
      @SuppressWarnings("unchecked")
      public T next() {
        if (next >= to) {
          throw new NoSuchElementException();
        }
        return (T) items[next++];
      }
    };
  }

  @Override
  public Comparator<? super T> comparator() {
    return null;
  }

  @Override
  public SortedSet<T> subSet(T fromElement, T toElement) {
    if (compare(fromElement, toElement) > 0) {
      throw new IllegalArgumentException("fromElement > toElement");
    }
    return new SortedArraySet<>(items, lowerBound(fromElement), lowerBound(toElement));
  }

  @Override
  public SortedSet<T> headSet(T toElement) {
    return new SortedArraySet<>(items, from, lowerBound(toElement));
  }

  @Override
  public SortedSet<T> tailSet(T fromElement) {
    return new SortedArraySet<>(items, lowerBound(fromElement), to);
  }

  @Override
  @SuppressWarnings("unchecked")
  public T first() {
    if (isEmpty()) {
      throw new NoSuchElementException();
    }
    return (T) items[from];
  }

  @Override
  @SuppressWarnings("unchecked")
  public T last() {
    if (isEmpty()) {
      throw new NoSuchElementException();
    }
    return (T) items[to - 1];
  }

  @Override
  public boolean equals(Object o) {
    if (o instanceof SortedArraySet<?> s) {
      return Arrays.equals(items, from, to, s.items, s.from, s.to);
    }
    return super.equals(o);
  }

  @Override
  public int hashCode() {
    return super.hashCode(); // a Set's: the sum of its items', whatever the implementation
  }
}

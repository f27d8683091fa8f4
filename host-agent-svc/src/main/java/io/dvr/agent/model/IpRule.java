package io.dvr.agent.model;

import java.util.Comparator;

/** {@code <priority>: from <from> lookup <table>}. */
public record IpRule(long priority, IpPrefix from, long table) implements Comparable<IpRule> {
  private static final Comparator<IpRule> ORDER = Comparator.comparingLong(IpRule::priority)
      .thenComparing(IpRule::from).thenComparingLong(IpRule::table);

  @Override
  public int compareTo(IpRule o) {
    return ORDER.compare(this, o);
  }
}

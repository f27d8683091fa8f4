package io.dvr.agent.model;

import java.util.Comparator;

/**
 * An OpenFlow flow as {@code ovs-ofctl dump-flows} shows it: match and actions in its text forms.
 * Open vSwitch keys flows by table, priority and match; {@code add-flow} with the same key
 * replaces actions and cookie. Order: table, then priority from high to low.
 */
public record Flow(int table, int priority, String match, String actions, long cookie) implements Comparable<Flow> {
  /** Flows print without {@code priority=} when they have OpenFlow's default priority. */
  public static final int DEFAULT_PRIORITY = 32768;

  private static final Comparator<Flow> ORDER = Comparator.comparingInt(Flow::table)
      .thenComparing(Comparator.comparingInt(Flow::priority).reversed()).thenComparing(Flow::match)
      .thenComparing(Flow::actions).thenComparing(Flow::cookie, Long::compareUnsigned);

  public Flow {
    match = match == null ? "" : match;
  }

  public record Key(int table, int priority, String match) {}

  public Key key() {
    return new Key(table, priority, match);
  }

  @Override
  public int compareTo(Flow o) {
    return ORDER.compare(this, o);
  }
}

package io.dvr.agent.model;

import java.util.Comparator;
import java.util.Objects;

/**
 * A route in one table. {@code connected} marks the prefix route the kernel makes for an address
 * ({@code proto kernel scope link src <address>}). The kernel keys routes by table and destination,
 * so {@link #key()} is what {@code ip route replace} replaces.
 */
public record Route(long table, IpPrefix destination, String via, String dev, String src, boolean connected)
    implements Comparable<Route> {
  public static final long DEFAULT_TABLE = 253;
  public static final long MAIN_TABLE = 254;
  public static final long LOCAL_TABLE = 255;

  private static final Comparator<Route> ORDER = Comparator.comparingLong(Route::table)
      .thenComparing(Route::destination, Comparator.naturalOrder()).thenComparing((Route r) -> r.via()).thenComparing(Route::dev)
      .thenComparing(Route::src).thenComparing((Route r) -> r.connected());

  public Route {
    Objects.requireNonNull(destination, "destination");
    via = via == null ? "" : via;
    dev = dev == null ? "" : dev;
    src = src == null ? "" : src;
  }

  /** The main-table route the kernel adds with an address: its network, scope link, src the address. */
  public static Route connected(IpPrefix address, String dev) {
    return new Route(MAIN_TABLE, address.network(), "", dev, address.ip(), true);
  }

  public static Route via(long table, IpPrefix destination, String via, String dev) {
    return new Route(table, destination, via, dev, "", false);
  }

  public record Key(long table, IpPrefix destination) {}

  public Key key() {
    return new Key(table, destination);
  }

  @Override
  public int compareTo(Route o) {
    return ORDER.compare(this, o);
  }
}

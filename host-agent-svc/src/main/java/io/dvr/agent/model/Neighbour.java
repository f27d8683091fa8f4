package io.dvr.agent.model;

import java.util.Comparator;

/** A permanent neighbour entry: {@code ip neigh replace <ip> lladdr <mac> nud permanent dev <dev>}. */
public record Neighbour(String ip, String dev, String mac) implements Comparable<Neighbour> {
  private static final Comparator<Neighbour> ORDER = Comparator
      .comparingLong((Neighbour n) -> IpPrefix.toLong(n.ip)).thenComparing(Neighbour::dev)
      .thenComparing(Neighbour::mac);

  public Neighbour {
    IpPrefix.toLong(ip);
    mac = mac.toLowerCase();
  }

  public record Key(String ip, String dev) {}

  public Key key() {
    return new Key(ip, dev);
  }

  @Override
  public int compareTo(Neighbour o) {
    return ORDER.compare(this, o);
  }
}

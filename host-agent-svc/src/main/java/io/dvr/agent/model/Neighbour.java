package io.dvr.agent.model;

import java.util.Objects;

/**
 * A permanent neighbour entry: {@code ip neigh replace <ip> lladdr <mac> nud permanent dev <dev>}.
 * Ordered by address as a number; the number is parsed once, not on every comparison (sorting
 * the ARP tables of a host was a quarter of an agent's apply at 200 hosts).
 */
public final class Neighbour implements Comparable<Neighbour> {
  private final String ip;
  private final String dev;
  private final String mac;
  private final long ipValue;

  public Neighbour(String ip, String dev, String mac) {
    this.ipValue = IpPrefix.toLong(ip);
    this.ip = ip;
    this.dev = Objects.requireNonNull(dev, "dev");
    this.mac = mac.toLowerCase();
  }

  public record Key(String ip, String dev) {}

  /** Sorts before every neighbour of the key (no MAC sorts before the empty one). */
  static Neighbour first(Key key) {
    return new Neighbour(key.ip(), key.dev(), "");
  }

  /** Sorts after every neighbour of the key and before those of the next device (no device name holds NUL). */
  static Neighbour afterLast(Key key) {
    return new Neighbour(key.ip(), key.dev() + '\0', "");
  }

  public String ip() {
    return ip;
  }

  public String dev() {
    return dev;
  }

  public String mac() {
    return mac;
  }

  public Key key() {
    return new Key(ip, dev);
  }

  @Override
  public int compareTo(Neighbour o) {
    int c = Long.compare(ipValue, o.ipValue);
    if (c == 0) {
      c = dev.compareTo(o.dev);
    }
    return c != 0 ? c : mac.compareTo(o.mac);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Neighbour n && ip.equals(n.ip) && dev.equals(n.dev) && mac.equals(n.mac);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ip, dev, mac);
  }

  @Override
  public String toString() {
    return "Neighbour[ip=" + ip + ", dev=" + dev + ", mac=" + mac + "]";
  }
}

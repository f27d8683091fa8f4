package io.dvr.agent.driver.listing;

import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.Route;

/** {@code ip route list table N} ({@code ip route} is the main table), by destination. */
public final class IpRouteListing {
  private IpRouteListing() {}

  public static String print(NamespaceState ns, long table) {
    return Lines.of(ns.routes().stream().filter(r -> r.table() == table).map(IpRouteListing::line).toList());
  }

  static String line(Route r) {
    StringBuilder s = new StringBuilder(r.destination().brief());
    if (!r.via().isEmpty()) {
      s.append(" via ").append(r.via());
    }
    s.append(" dev ").append(r.dev());
    if (r.connected()) {
      s.append(" proto kernel");
    }
    if (r.via().isEmpty()) {
      s.append(" scope link");
    }
    if (!r.src().isEmpty()) {
      s.append(" src ").append(r.src());
    }
    return s.toString();
  }
}

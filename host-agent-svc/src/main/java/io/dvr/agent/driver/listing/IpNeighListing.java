package io.dvr.agent.driver.listing;

import io.dvr.agent.model.NamespaceState;

/** {@code ip neigh}: the permanent entries, by address. */
public final class IpNeighListing {
  private IpNeighListing() {}

  public static String print(NamespaceState ns) {
    return Lines.of(ns.neighbours().stream()
        .map(n -> n.ip() + " dev " + n.dev() + " lladdr " + n.mac() + " PERMANENT").toList());
  }
}

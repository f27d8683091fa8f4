package io.dvr.agent.driver.listing;

import java.util.Collection;

/** {@code ip netns}: one namespace name per line, sorted. */
public final class NetnsListing {
  private NetnsListing() {}

  public static String print(Collection<String> namespaces) {
    return Lines.of(namespaces.stream().sorted().toList());
  }
}

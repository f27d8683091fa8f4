package io.dvr.agent.driver.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;

/** Compares our listings with listings copied from the seed article. */
final class SeedListings {
  private SeedListings() {}

  static List<String> lines(String text) {
    return text.lines().toList();
  }

  /**
   * {@code ip addr} lines as the seed's web page shows them: the page lost {@code <FLAGS>} (read
   * as an HTML tag) and the space before it; ifindexes differ from host to host, so they go too.
   */
  static List<String> ipAddr(String listing) {
    return listing.lines().map(l -> l.replaceFirst("^\\d+: ", "").replaceFirst(": <[^>]*> ", ":").trim()).toList();
  }

  /** The seed's flow lines carry counters and ages; the seed's cookie is 0x0 and ours marks our flows. */
  static String withoutStats(String flowLine) {
    return flowLine.replaceAll("(cookie=0x[0-9a-f]+|duration=[0-9.]+s|n_packets=\\d+|n_bytes=\\d+|idle_age=\\d+"
        + "|hard_age=\\d+), ", "").trim();
  }

  static List<String> flows(String dump) {
    return dump.lines().filter(l -> !l.startsWith("NXST_FLOW")).map(SeedListings::withoutStats).toList();
  }

  static List<String> appendRules(String iptables) {
    return iptables.lines().filter(l -> l.startsWith("-A ")).toList();
  }

  static void assertBlock(List<String> ours, String... seed) {
    List<String> block = List.of(seed).stream().map(String::trim).toList();
    assertThat(Collections.indexOfSubList(ours, block))
        .as("seed block %s in%n%s", block, String.join("\n", ours)).isGreaterThanOrEqualTo(0);
  }
}

package io.dvr.agent.driver.listing;

import java.util.List;

/** Joins listing lines the way the tools print them: each line ends with a newline. */
final class Lines {
  private Lines() {}

  static String of(List<String> lines) {
    StringBuilder out = new StringBuilder();
    lines.forEach(l -> out.append(l).append('\n'));
    return out.toString();
  }
}

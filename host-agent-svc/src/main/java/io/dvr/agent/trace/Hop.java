package io.dvr.agent.trace;

/** One step of a path: where (a bridge table, a namespace) and what happened there. */
public record Hop(String place, String step) {
  @Override
  public String toString() {
    return place + ": " + step;
  }
}

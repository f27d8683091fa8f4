package io.dvr.agent.trace;

import java.util.List;

/** The part of a path on one host: its hops in order and how each copy of the packet ended. */
public record Leg(String host, Packet start, List<Hop> hops, List<Outcome> outcomes) {
  public Leg {
    hops = List.copyOf(hops);
    outcomes = List.copyOf(outcomes);
  }
}

package io.dvr.agent.model;

import java.util.Collection;
import java.util.SortedSet;

/** The flows of one Open vSwitch bridge. */
public record BridgeState(String name, SortedSet<Flow> flows) {
  public BridgeState {
    flows = Sorted.set(flows);
  }

  public static BridgeState of(String name, Collection<Flow> flows) {
    return new BridgeState(name, Sorted.set(flows));
  }
}

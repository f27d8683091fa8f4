package io.dvr.agent.model;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * One Open vSwitch bridge: its flows, and its ports keyed by {@link OvsPort#key()}. Observed, the
 * ports are all the bridge has; desired, they are the ports the agent must make (tunnel ports) or
 * tag (plugged and VM ports).
 */
public record BridgeState(String name, SortedSet<Flow> flows, SortedMap<String, OvsPort> ports) {
  public BridgeState {
    flows = Sorted.set(flows);
    ports = Sorted.map(ports);
    ports.forEach((k, v) -> {
      if (!k.equals(v.key())) {
        throw new IllegalArgumentException("bridge " + name + ": port entry '" + k + "' holds '" + v.key() + "'");
      }
    });
  }

  public BridgeState(String name, SortedSet<Flow> flows) {
    this(name, flows, new TreeMap<>());
  }

  public static BridgeState of(String name, Collection<Flow> flows) {
    return new BridgeState(name, Sorted.set(flows), new TreeMap<>());
  }

  public static BridgeState of(String name, Collection<Flow> flows, Collection<OvsPort> ports) {
    Map<String, OvsPort> byKey = new TreeMap<>();
    ports.forEach(p -> byKey.putIfAbsent(p.key(), p));
    return new BridgeState(name, Sorted.set(flows), Sorted.map(byKey));
  }

  public Optional<OvsPort> port(String key) {
    return Optional.ofNullable(ports.get(key));
  }
}

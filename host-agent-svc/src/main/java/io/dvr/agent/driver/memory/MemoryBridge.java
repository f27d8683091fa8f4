package io.dvr.agent.driver.memory;

import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.Flow;
import io.dvr.agent.model.OvsPort;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The mutable state of one Open vSwitch bridge inside a {@link MemoryHost}: flows keyed as OVS keys
 * them, and ports by their model key, each given the lowest free ofport as it is added. Ports are
 * indexed by OVS name and the freed ofports kept in order, so that a bridge with thousands of ports
 * adds, finds and removes one in logarithmic time (a host carrying 1,000 routers has ~3,000).
 */
final class MemoryBridge {
  final String name;
  final Map<Flow.Key, Flow> flows = new LinkedHashMap<>();
  private final Map<String, OvsPort> ports = new TreeMap<>();
  /** Model key by OVS port name. */
  private final Map<String, String> keyByName = new HashMap<>();
  /** Ofports freed below {@link #nextOfport}, lowest first. */
  private final TreeSet<Integer> freed = new TreeSet<>();
  private int nextOfport = 1;
  /** Whether flows were ever added: only such bridges are listed, as ovs-ofctl would be asked for them. */
  boolean hasFlowTable;

  MemoryBridge(String name) {
    this.name = name;
  }

  /** Adds the port with the lowest free ofport; a port with that key already there stays as it is. */
  void add(OvsPort port) {
    if (!ports.containsKey(port.key())) {
      put(port.withOfport(takeOfport()));
    }
  }

  Optional<OvsPort> byName(String portName) {
    String key = keyByName.get(portName);
    return key == null ? Optional.empty() : Optional.of(ports.get(key));
  }

  Optional<OvsPort> byKey(String key) {
    return Optional.ofNullable(ports.get(key));
  }

  /** Replaces a port already on the bridge (same key, same ofport), e.g. with another tag. */
  void replace(OvsPort port) {
    OvsPort old = ports.get(port.key());
    if (old == null || old.ofport() != port.ofport()) {
      throw new IllegalArgumentException("bridge " + name + " has no port " + port.key() + " at ofport " + port.ofport());
    }
    put(port);
  }

  void removeByName(String portName) {
    byName(portName).ifPresent(p -> remove(p.key()));
  }

  void removeByKey(String key) {
    remove(key);
  }

  void removeIf(Predicate<OvsPort> which) {
    ports.values().stream().filter(which).map(OvsPort::key).toList().forEach(this::remove);
  }

  Collection<OvsPort> ports() {
    return ports.values();
  }

  BridgeState snapshot(boolean withFlows) {
    return BridgeState.of(name, withFlows ? flows.values() : List.of(), ports.values());
  }

  private void put(OvsPort port) {
    OvsPort old = ports.put(port.key(), port);
    if (old != null && !old.name().equals(port.name())) {
      keyByName.remove(old.name());
    }
    keyByName.put(port.name(), port.key());
  }

  private void remove(String key) {
    OvsPort gone = ports.remove(key);
    if (gone != null) {
      keyByName.remove(gone.name());
      if (gone.ofport() > 0) {
        freed.add(gone.ofport());
      }
    }
  }

  private int takeOfport() {
    Integer lowest = freed.pollFirst();
    return lowest != null ? lowest : nextOfport++;
  }
}

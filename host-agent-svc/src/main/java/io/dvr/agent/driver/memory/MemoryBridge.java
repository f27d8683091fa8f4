package io.dvr.agent.driver.memory;

import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.Flow;
import io.dvr.agent.model.OvsPort;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The mutable state of one Open vSwitch bridge inside a {@link MemoryHost}: flows keyed as OVS keys
 * them, and ports by their model key, each given the lowest free ofport as it is added.
 */
final class MemoryBridge {
  final String name;
  final Map<Flow.Key, Flow> flows = new LinkedHashMap<>();
  final Map<String, OvsPort> ports = new TreeMap<>();
  /** Whether flows were ever added: only such bridges are listed, as ovs-ofctl would be asked for them. */
  boolean hasFlowTable;

  MemoryBridge(String name) {
    this.name = name;
  }

  /** Adds the port with the next ofport; a port with that key already there stays as it is. */
  void add(OvsPort port) {
    if (!ports.containsKey(port.key())) {
      ports.put(port.key(), port.withOfport(freeOfport()));
    }
  }

  Optional<OvsPort> byName(String portName) {
    return ports.values().stream().filter(p -> p.name().equals(portName)).findFirst();
  }

  void removeByName(String portName) {
    byName(portName).ifPresent(p -> ports.remove(p.key()));
  }

  private int freeOfport() {
    int n = 1;
    while (true) {
      int candidate = n;
      if (ports.values().stream().noneMatch(p -> p.ofport() == candidate)) {
        return candidate;
      }
      n++;
    }
  }

  BridgeState snapshot(boolean withFlows) {
    return BridgeState.of(name, withFlows ? flows.values() : java.util.List.of(), ports.values());
  }
}

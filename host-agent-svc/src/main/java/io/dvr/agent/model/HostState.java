package io.dvr.agent.model;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** One host: its network namespaces by name and the flows of its bridges by bridge name. */
public record HostState(SortedMap<String, NamespaceState> namespaces, SortedMap<String, BridgeState> bridges) {
  public static final HostState EMPTY = new HostState(new TreeMap<>(), new TreeMap<>());

  public HostState {
    namespaces = Sorted.map(namespaces);
    bridges = Sorted.map(bridges);
    namespaces.forEach((k, v) -> requireKey(k, v.name()));
    bridges.forEach((k, v) -> requireKey(k, v.name()));
  }

  public static HostState of(Map<String, NamespaceState> namespaces, Map<String, BridgeState> bridges) {
    return new HostState(Sorted.map(namespaces), Sorted.map(bridges));
  }

  public NamespaceState namespace(String name) {
    NamespaceState ns = namespaces.get(name);
    return ns == null ? NamespaceState.empty(name) : ns;
  }

  private static void requireKey(String key, String name) {
    if (!key.equals(name)) {
      throw new IllegalArgumentException("entry '" + key + "' holds '" + name + "'");
    }
  }
}

package io.dvr.agent.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One network namespace: devices by name, sysctls by key, ip rules, routes of every table,
 * permanent neighbours and the nat table. Routes and neighbours name their device.
 */
public record NamespaceState(String name, SortedMap<String, Device> devices, SortedMap<String, String> sysctls,
    SortedSet<IpRule> rules, SortedSet<Route> routes, SortedSet<Neighbour> neighbours, NatTable nat) {

  public NamespaceState {
    Objects.requireNonNull(name, "name");
    devices = Sorted.map(devices);
    sysctls = Sorted.map(sysctls);
    rules = Sorted.set(rules);
    routes = Sorted.set(routes);
    neighbours = Sorted.set(neighbours);
    nat = nat == null ? NatTable.EMPTY : nat;
    devices.forEach((k, d) -> {
      if (!k.equals(d.name())) {
        throw new IllegalArgumentException("namespace " + name + ": entry '" + k + "' holds device " + d.name());
      }
    });
  }

  public static NamespaceState empty(String name) {
    return new Builder(name).build();
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** This namespace with {@code gone} neighbours removed and then {@code added} ones added. */
  public NamespaceState withNeighbours(Collection<Neighbour> gone, Collection<Neighbour> added) {
    if (gone.isEmpty() && added.isEmpty()) {
      return this;
    }
    return new NamespaceState(name, devices, sysctls, rules, routes,
        SortedArraySet.of(neighbours).with(gone, added), nat);
  }

  /** The neighbours of these keys (address and device), found without walking the others. */
  public List<Neighbour> neighboursOf(Collection<Neighbour.Key> keys) {
    List<Neighbour> found = new ArrayList<>();
    for (Neighbour.Key key : keys) {
      found.addAll(neighbours.subSet(Neighbour.first(key), Neighbour.afterLast(key)));
    }
    return found;
  }

  public NamespaceState withNat(NatTable newNat) {
    return new NamespaceState(name, devices, sysctls, rules, routes, neighbours, newNat);
  }

  /**
   * This namespace as it is once {@code gone} devices are deleted: the kernel takes their routes,
   * neighbours and per-device sysctls with them.
   */
  public NamespaceState withoutDevices(Set<String> gone) {
    if (gone.isEmpty()) {
      return this;
    }
    Map<String, Device> keptDevices = new TreeMap<>(devices);
    keptDevices.keySet().removeAll(gone);
    Map<String, String> keptSysctls = new TreeMap<>(sysctls);
    keptSysctls.keySet().removeIf(k -> gone.stream().anyMatch(d -> k.startsWith("net.ipv4.conf." + d + ".")));
    List<Route> keptRoutes = routes.stream().filter(r -> !gone.contains(r.dev())).toList();
    List<Neighbour> keptNeighbours = neighbours.stream().filter(n -> !gone.contains(n.dev())).toList();
    return new NamespaceState(name, Sorted.map(keptDevices), Sorted.map(keptSysctls), rules,
        Sorted.set(keptRoutes), Sorted.set(keptNeighbours), nat);
  }

  /**
   * Both namespaces' content. The same device, sysctl or route key defined two different ways is
   * a conflict: two routers must never disagree about a shared namespace.
   */
  public NamespaceState merge(NamespaceState other) {
    if (!name.equals(other.name)) {
      throw new IllegalArgumentException("cannot merge namespace " + other.name + " into " + name);
    }
    Map<String, Device> allDevices = new TreeMap<>(devices);
    other.devices.forEach((k, d) -> putSame(allDevices, k, d, "device"));
    Map<String, String> allSysctls = new TreeMap<>(sysctls);
    other.sysctls.forEach((k, v) -> putSame(allSysctls, k, v, "sysctl"));
    Map<Route.Key, Route> allRoutes = new HashMap<>();
    routes.forEach(r -> allRoutes.put(r.key(), r));
    other.routes.forEach(r -> putSame(allRoutes, r.key(), r, "route"));
    SortedSet<IpRule> allRules = new TreeSet<>(rules);
    allRules.addAll(other.rules);
    SortedSet<Neighbour> allNeighbours = new TreeSet<>(neighbours);
    allNeighbours.addAll(other.neighbours);
    return new NamespaceState(name, Sorted.map(allDevices), Sorted.map(allSysctls), allRules,
        Sorted.set(allRoutes.values()), allNeighbours, nat.merge(other.nat));
  }

  private <K, V> void putSame(Map<K, V> into, K key, V value, String what) {
    V old = into.putIfAbsent(key, value);
    if (old != null && !old.equals(value)) {
      throw new IllegalArgumentException("namespace " + name + ": conflicting " + what + " " + key + ": " + old
          + " versus " + value);
    }
  }

  /** Collects one namespace's content; used by renderers and drivers to build a state. */
  public static final class Builder {
    private final String name;
    private final Map<String, Device> devices = new TreeMap<>();
    private final Map<String, String> sysctls = new TreeMap<>();
    private final SortedSet<IpRule> rules = new TreeSet<>();
    private final SortedSet<Route> routes = new TreeSet<>();
    private final SortedSet<Neighbour> neighbours = new TreeSet<>();
    private final SortedSet<String> chains = new TreeSet<>();
    private final List<NatRule> natRules = new ArrayList<>();

    private Builder(String name) {
      this.name = name;
    }

    public Builder device(Device d) {
      devices.put(d.name(), d);
      return this;
    }

    public Builder sysctl(String key, String value) {
      sysctls.put(key, value);
      return this;
    }

    public Builder rule(IpRule r) {
      rules.add(r);
      return this;
    }

    public Builder route(Route r) {
      routes.add(r);
      return this;
    }

    public Builder neighbour(Neighbour n) {
      neighbours.add(n);
      return this;
    }

    public Builder chains(Collection<String> names) {
      chains.addAll(names);
      return this;
    }

    public Builder nat(String chain, String spec) {
      natRules.add(new NatRule(chain, spec));
      return this;
    }

    public NamespaceState build() {
      return new NamespaceState(name, Sorted.map(devices), Sorted.map(sysctls), rules, routes, neighbours,
          new NatTable(chains, natRules));
    }
  }
}

package io.dvr.agent.driver.memory;

import io.dvr.agent.model.Device;
import io.dvr.agent.model.DeviceKind;
import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.IpRule;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.NatTable;
import io.dvr.agent.model.Neighbour;
import io.dvr.agent.model.Route;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The mutable kernel state of one namespace inside a {@link MemoryHost}. */
final class MemoryNamespace {
  final String name;
  final Map<String, Device> devices = new LinkedHashMap<>();
  final Map<String, Integer> ifindex = new HashMap<>();
  final Map<String, String> sysctls = new TreeMap<>();
  final Set<IpRule> rules = new TreeSet<>();
  final Map<Route.Key, Route> routes = new HashMap<>();
  final Map<Neighbour.Key, Neighbour> neighbours = new HashMap<>();
  NatTable nat = NatTable.EMPTY;

  MemoryNamespace(String name) {
    this.name = name;
    // Every new namespace has a loopback device, down, at ifindex 1.
    addDevice(new Device("lo", DeviceKind.LOOPBACK, "00:00:00:00:00:00", 65536, new TreeSet<>(), "", "", ""), 1);
  }

  void addDevice(Device d, int index) {
    devices.put(d.name(), d);
    ifindex.put(d.name(), index);
  }

  /** Removes a device with what the kernel removes along: routes and neighbours on it, its sysctls. */
  void removeDevice(String device) {
    devices.remove(device);
    ifindex.remove(device);
    routes.values().removeIf(r -> r.dev().equals(device));
    neighbours.values().removeIf(n -> n.dev().equals(device));
    sysctls.keySet().removeIf(k -> k.startsWith("net.ipv4.conf." + device + ".")
        || k.startsWith("net.ipv6.conf." + device + "."));
  }

  void addAddress(Device d, IpPrefix address) {
    Set<IpPrefix> next = new TreeSet<>(d.addresses());
    if (next.add(address)) {
      devices.put(d.name(), d.withAddresses(next));
      if (address.length() < 32) {
        // A second address in a subnet is a secondary: the first one's prefix route stays.
        Route prefixRoute = Route.connected(address, d.name());
        routes.putIfAbsent(prefixRoute.key(), prefixRoute);
      }
    }
  }

  void removeAddress(Device d, IpPrefix address) {
    Set<IpPrefix> next = new TreeSet<>(d.addresses());
    if (next.remove(address)) {
      devices.put(d.name(), d.withAddresses(next));
      Route prefixRoute = Route.connected(address, d.name());
      routes.remove(prefixRoute.key(), prefixRoute);
    }
  }

  NamespaceState snapshot() {
    NamespaceState.Builder b = NamespaceState.builder(name);
    devices.values().forEach(b::device);
    sysctls.forEach(b::sysctl);
    rules.forEach(b::rule);
    routes.values().forEach(b::route);
    neighbours.values().forEach(b::neighbour);
    return b.build().withNat(nat);
  }
}

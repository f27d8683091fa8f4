package io.dvr.agent.driver.memory;

import io.dvr.agent.driver.Hypervisor;
import io.dvr.agent.render.HostParts;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.LocalPortInfo;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Nova for a simulated host: every VM port bound to the host (a local port that is not a router's
 * SNAT port) is plugged into br-int as {@code tap<port id>} as soon as the agent hears of it, and
 * unplugged when no longer bound, as a hypervisor booting and deleting VMs would.
 */
public final class SimulatedNova implements Hypervisor {
  private static final int TAP_NAME_LEN = 14;

  private final MemoryHost host;

  public SimulatedNova(MemoryHost host) {
    this.host = host;
  }

  @Override
  public void plugBound(HostRouters routers) {
    Set<String> snatPorts = new TreeSet<>();
    Set<String> bound = new TreeSet<>();
    for (RouterInfo r : routers.getRoutersList()) {
      r.getSnatPortsList().stream().map(RouterPortInfo::getPortId).forEach(snatPorts::add);
      HostParts.localPorts(routers, r).stream().map(LocalPortInfo::getPortId).forEach(bound::add);
    }
    bound.removeAll(snatPorts);
    synchronized (host) {
      Map<String, String> plugged = host.vmPorts();
      plugged.forEach((name, ifaceId) -> {
        if (!bound.contains(ifaceId)) {
          host.unplugVm(name);
        }
      });
      for (String portId : bound) {
        if (!plugged.containsValue(portId)) {
          host.plugVm(tap(portId), portId);
        }
      }
    }
  }

  /** Nova's name for a VM's port: tap and the start of the port id, cut to the kernel's limit. */
  static String tap(String portId) {
    String name = "tap" + portId;
    return name.length() > TAP_NAME_LEN ? name.substring(0, TAP_NAME_LEN) : name;
  }
}

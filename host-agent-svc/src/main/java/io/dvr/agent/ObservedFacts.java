package io.dvr.agent;

import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.OvsPort;
import io.dvr.agent.render.CentralSnat;
import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.HostParts;
import io.dvr.agent.render.HostRenderer;
import io.dvr.agent.render.Names;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.LocalPortInfo;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The host's facts from what a driver observed, the same way for every driver: the ofports OVS
 * gave the patch ports, the tunnel port of each peer endpoint and the plugged VM and SNAT ports of
 * the routers the renderer carries (by its own rules), then the allocations the routers need
 * (previous values kept). Pure: no I/O.
 */
final class ObservedFacts {
  private ObservedFacts() {}

  static HostFacts initial(HostConfig config, HostRouters routers) {
    return HostFacts.initial(config.host(), config.mode(), routers.getDvrMac(), config.tunnelType(), 1, 1);
  }

  static HostFacts of(HostFacts previous, HostConfig config, HostRouters routers, Map<String, BridgeState> bridges) {
    BridgeState brInt = bridges.get(Names.BR_INT);
    BridgeState brTun = bridges.get(Names.BR_TUN);
    int patchTun = patchOfport(brInt, Names.BR_INT, Names.PATCH_TUN, previous.patchTunOfport());
    int patchInt = patchOfport(brTun, Names.BR_TUN, Names.PATCH_INT, previous.patchIntOfport());
    SortedMap<String, Integer> tunnels = new TreeMap<>();
    for (Map.Entry<String, String> e : HostParts.tunnelEndpoints(routers).entrySet()) {
      if (!e.getKey().equals(config.host()) && !e.getValue().isEmpty()) {
        tunnelPort(brTun, e.getValue()).ifPresent(ofport -> tunnels.put(e.getKey(), ofport));
      }
    }
    HostFacts ports = new HostFacts(config.host(), config.mode(), routers.getDvrMac(), config.tunnelType(),
        config.tunnelIp(), patchTun, patchInt, tunnels, new TreeMap<>(), previous.localVlans(),
        previous.fipPriorities(), previous.linkLocalPairs());
    SortedMap<String, Integer> plugged = new TreeMap<>();
    for (RouterInfo r : HostRenderer.carried(routers)) {
      for (LocalPortInfo p : HostParts.localPorts(routers, r)) {
        ofport(brInt, OvsPort.vm(p.getPortId(), OvsPort.NO_TAG).key()).ifPresent(o -> plugged.put(p.getPortId(), o));
      }
      if (CentralSnat.isHere(r, ports)) {
        for (RouterPortInfo p : r.getSnatPortsList()) {
          ofport(brInt, Names.sgDevice(p.getPortId())).ifPresent(o -> plugged.put(p.getPortId(), o));
        }
      }
    }
    // Built in one go: adding the ofports one by one copied the maps once per port (quadratic at 200 peers).
    return new HostFacts(config.host(), config.mode(), routers.getDvrMac(), config.tunnelType(), config.tunnelIp(),
        patchTun, patchInt, tunnels, plugged, previous.localVlans(), previous.fipPriorities(), previous.linkLocalPairs())
        .allocate(routers);
  }

  /** A patch port's ofport; a bridge that is there without it means OVS was not set up for DVR. */
  private static int patchOfport(BridgeState bridge, String bridgeName, String port, int previous) {
    if (bridge == null) {
      return previous; // no Open vSwitch observed (a driver without OVS): the flows cannot be applied anyway
    }
    return ofport(bridge, port).orElseThrow(() -> new IllegalStateException("bridge " + bridgeName + " has no port "
        + port + " with an ofport; the host's Open vSwitch is not set up (labnet/host.sh makes it)"));
  }

  private static Optional<Integer> tunnelPort(BridgeState brTun, String peerIp) {
    try {
      return ofport(brTun, Names.tunnelPort(peerIp));
    } catch (IllegalArgumentException malformed) {
      return Optional.empty(); // the renderer names the bad endpoint
    }
  }

  private static Optional<Integer> ofport(BridgeState bridge, String key) {
    return bridge == null ? Optional.empty()
        : bridge.port(key).filter(OvsPort::hasOfport).map(OvsPort::ofport);
  }
}

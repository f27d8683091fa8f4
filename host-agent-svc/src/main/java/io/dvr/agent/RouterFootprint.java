package io.dvr.agent;

import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.HostParts;
import io.dvr.agent.render.HostRenderer;
import io.dvr.agent.render.RouterPart;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import java.util.HashSet;
import java.util.Set;

/**
 * What of one router (carried or not) reaches beyond its own part of the host: the renderer's
 * {@link RouterPart#footprint} when it is carried, plus the ports a simulated hypervisor plugs for
 * it (every router's local ports, SNAT ports excepted) and that the wired ports are read from.
 * While the set of tokens over all routers stays the same, the host's facts, host-level flows,
 * bridge ports, wired ports and plugged VMs stay the same.
 */
final class RouterFootprint {
  private RouterFootprint() {}

  static Set<String> of(HostRouters in, RouterInfo r, HostFacts facts) {
    Set<String> tokens = new HashSet<>(HostRenderer.carries(r) ? RouterPart.footprint(in, r, facts) : Set.of());
    // As the simulated hypervisor binds them: the router's local ports as the view resolves them.
    HostParts.localPorts(in, r).forEach(p -> tokens.add("bound:" + p.getPortId()));
    r.getSnatPortsList().forEach(p -> tokens.add("snat-port:" + p.getPortId()));
    return tokens;
  }
}

package io.dvr.agent.trace;

import io.dvr.agent.model.HostState;
import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.HostRenderer;
import io.dvr.proto.v1.HostPort;
import io.dvr.proto.v1.HostRouters;
import java.util.Map;
import java.util.TreeMap;

/**
 * One host as the tracer walks it: the state (rendered from the view and facts, or observed), what
 * is behind its bridge ports, and the view (the VMs' addresses and MACs, the routers' ARP tables).
 */
public record TracedHost(String host, HostState state, PortMap ports, HostRouters view) {

  /** The state the renderer makes of the view with these facts: what the agent wants the host to hold. */
  public static TracedHost rendered(HostRouters view, HostFacts facts) {
    HostState state = HostRenderer.render(view, facts);
    return new TracedHost(facts.host(), state, PortMap.rendered(state, facts, vmMacs(view)), view);
  }

  /** The state the driver read from the host. */
  public static TracedHost observed(String host, HostState observed, HostRouters view) {
    return new TracedHost(host, observed, PortMap.observed(observed, vmMacs(view)), view);
  }

  public Leg trace(Ingress ingress, Packet packet) {
    return HostTracer.trace(host, state, ports, view, ingress, packet);
  }

  private static Map<String, String> vmMacs(HostRouters view) {
    Map<String, String> macs = new TreeMap<>();
    for (HostPort p : view.getPortsList()) {
      macs.put(p.getPortId(), p.getMacAddress());
    }
    return macs;
  }
}

package io.dvr.agent.trace;

import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.Device;
import io.dvr.agent.model.DeviceKind;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.OvsPort;
import io.dvr.agent.render.Names;
import io.dvr.proto.v1.HostPort;
import io.dvr.proto.v1.HostRouters;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One leg of a path: the packet entering one host (from a VM, a tunnel or the external network),
 * carried through its bridges ({@link BridgeWalk}, and OVS's NORMAL switching by VLAN and MAC) and
 * namespaces ({@link NamespaceWalk}) until each copy is delivered, dropped or leaves by a tunnel.
 */
public final class HostTracer {
  private static final int MAX_STEPS = 64;

  private final String host;
  private final HostState state;
  private final PortMap ports;
  private final HostRouters view;
  private final List<Hop> hops = new ArrayList<>();
  private final List<Outcome> outcomes = new ArrayList<>();
  private int steps;

  private HostTracer(String host, HostState state, PortMap ports, HostRouters view) {
    this.host = host;
    this.state = state;
    this.ports = ports;
    this.view = view;
  }

  /** Traces the packet on {@code host} holding {@code state}; {@code view}: what the control plane told the host. */
  public static Leg trace(String host, HostState state, PortMap ports, HostRouters view, Ingress ingress, Packet p) {
    HostTracer t = new HostTracer(host, state, ports, view);
    Packet start;
    if (ingress instanceof Ingress.FromVm vm) {
      start = t.fromVm(vm.portId(), p);
    } else if (ingress instanceof Ingress.FromTunnel tunnel) {
      start = t.fromTunnel(tunnel.peerHost(), p);
    } else {
      start = t.fromExternal(p);
    }
    return new Leg(host, start, t.hops, t.outcomes);
  }

  private Packet fromVm(String portId, Packet p) {
    Optional<HostPort> vm = view.getPortsList().stream().filter(x -> x.getPortId().equals(portId)).findFirst();
    if (vm.isEmpty()) {
      end(new Outcome.Dropped("port " + portId + " is not bound to host " + host));
      return p;
    }
    VmArp.Frame frame = VmArp.resolve(view, vm.get(), p);
    if (!frame.failure().isEmpty()) {
      end(new Outcome.Dropped(frame.failure()));
      return frame.packet();
    }
    hops.add(new Hop("VM " + portId, frame.how()));
    Optional<PortMap.Endpoint> port = ports.vm(portId);
    if (port.isEmpty() || port.get().ofport() <= 0) {
      end(new Outcome.Dropped("the VM port " + portId + " is not plugged into " + Names.BR_INT + " on " + host));
      return frame.packet();
    }
    if (port.get().tag() == OvsPort.NO_TAG) {
      end(new Outcome.Dropped("the VM port " + portId + " on " + Names.BR_INT + " has no VLAN tag: OVS drops its frames"));
      return frame.packet();
    }
    Packet tagged = frame.packet().withVlan(port.get().tag());
    hops.add(new Hop(Names.BR_INT, "in_port " + port.get().ofport() + " (VM port, tag " + port.get().tag() + "): "
        + tagged.l2()));
    intoBridge(Names.BR_INT, port.get().ofport(), tagged);
    return frame.packet();
  }

  private Packet fromTunnel(String peerHost, Packet p) {
    Optional<PortMap.Endpoint> tunnel = ports.tunnelTo(peerHost);
    if (tunnel.isEmpty() || tunnel.get().ofport() <= 0) {
      end(new Outcome.Dropped("host " + host + " has no tunnel port to " + peerHost));
      return p;
    }
    hops.add(new Hop(Names.BR_TUN, "in_port " + tunnel.get().ofport() + " (tunnel from " + peerHost + "): " + p.l2()));
    intoBridge(Names.BR_TUN, tunnel.get().ofport(), p);
    return p;
  }

  /**
   * From outside, the frame goes to whoever answers ARP for the destination on br-ex: a device
   * holding the address, or one with proxy_arp = 1 whose namespace routes the address elsewhere.
   */
  private Packet fromExternal(Packet p) {
    for (NamespaceState ns : state.namespaces().values()) {
      for (Device d : ns.devices().values()) {
        if (!Names.BR_EX.equals(d.bridge())) {
          continue;
        }
        Optional<String> why = answersArp(ns, d, p.ipDst());
        if (why.isPresent()) {
          hops.add(new Hop(Names.BR_EX, "ARP " + p.ipDst() + " is at " + d.mac() + ": " + why.get()));
          intoNamespace(ns.name(), d.name(), p.withEthDst(d.mac()), false);
          return p.withEthDst(d.mac());
        }
      }
    }
    end(new Outcome.Dropped("no device on " + Names.BR_EX + " of host " + host + " answers ARP for " + p.ipDst()));
    return p;
  }

  private Optional<String> answersArp(NamespaceState ns, Device d, String ip) {
    if (NamespaceWalk.ownerOf(ns, ip).filter(owner -> owner.name().equals(d.name())).isPresent()) {
      return Optional.of(d.name() + " in " + ns.name() + " holds it");
    }
    if (!"1".equals(ns.sysctls().get(Names.proxyArp(d.name())))) {
      return Optional.empty();
    }
    return RouteLookup.find(ns, io.dvr.agent.model.Route.MAIN_TABLE, ip)
        .filter(r -> !r.dev().equals(d.name()))
        .map(r -> "proxy ARP on " + d.name() + " in " + ns.name() + " (" + Names.proxyArp(d.name()) + " = 1, route "
            + RouteLookup.describe(r) + ")");
  }

  /** Into a bridge from a port: its flows if the state has them, else OVS's default NORMAL switching. */
  private void intoBridge(String bridge, int inPort, Packet p) {
    if (++steps > MAX_STEPS) {
      end(new Outcome.Dropped("more than " + MAX_STEPS + " steps on host " + host + ": the path loops"));
      return;
    }
    BridgeState flows = state.bridges().get(bridge);
    if (flows == null || flows.flows().isEmpty()) {
      normal(bridge, inPort, p);
      return;
    }
    BridgeWalk.Result result = BridgeWalk.walk(flows, inPort, p, hops);
    if (result.outputs().isEmpty()) {
      end(new Outcome.Dropped(String.join("; ", result.drops())));
      return;
    }
    for (BridgeWalk.Output out : result.outputs()) {
      if (out.ofport() == BridgeWalk.NORMAL) {
        normal(bridge, inPort, out.packet());
      } else {
        Optional<PortMap.Endpoint> port = ports.at(bridge, out.ofport());
        if (port.isEmpty()) {
          end(new Outcome.Dropped(bridge + ": output to port " + out.ofport() + ", which the bridge does not have"));
        } else {
          toPort(port.get(), out.packet());
        }
      }
    }
  }

  /** OVS's NORMAL action: the port on the packet's VLAN with its destination MAC, else (br-int) out to br-tun. */
  private void normal(String bridge, int inPort, Packet p) {
    for (PortMap.Endpoint e : ports.on(bridge)) {
      if (e.ofport() == inPort && inPort > 0 || e.tag() != p.vlan() && p.vlan() != Packet.NO_VLAN) {
        continue;
      }
      if (e.kind() == OvsPort.Kind.VM && e.vmMac().equals(p.ethDst())
          || e.kind() == OvsPort.Kind.PLUGGED && p.ethDst().equals(deviceMac(e))) {
        hops.add(new Hop(bridge, "NORMAL: " + p.ethDst() + " on VLAN " + p.vlan() + " is " + e.describe()));
        toPort(e, p);
        return;
      }
    }
    for (NamespaceState ns : state.namespaces().values()) { // br-ex: our devices, no tags
      for (Device d : ns.devices().values()) {
        if (bridge.equals(d.bridge()) && d.mac().equals(p.ethDst()) && !bridge.equals(Names.BR_INT)) {
          intoNamespace(ns.name(), d.name(), p, false);
          return;
        }
      }
    }
    Optional<PortMap.Endpoint> patch = ports.patchOf(bridge);
    if (bridge.equals(Names.BR_INT) && patch.isPresent() && patch.get().ofport() != inPort) {
      hops.add(new Hop(bridge, "NORMAL: no local port has " + p.ethDst() + " on VLAN " + p.vlan() + ": out "
          + patch.get().name()));
      toPort(patch.get(), p);
      return;
    }
    end(new Outcome.Dropped(bridge + " on " + host + ": no port has " + p.ethDst() + " on VLAN " + p.vlan()));
  }

  private String deviceMac(PortMap.Endpoint e) {
    NamespaceState ns = state.namespaces().get(e.namespace());
    Device d = ns == null ? null : ns.devices().get(e.device());
    return d == null ? "" : d.mac();
  }

  private void toPort(PortMap.Endpoint port, Packet p) {
    switch (port.kind()) {
      case PATCH -> {
        String peer = PortMap.patchPeerBridge(port);
        Optional<PortMap.Endpoint> in = ports.patchOf(peer);
        hops.add(new Hop(port.bridge(), "output " + port.name() + " to " + peer));
        // Tunnel metadata does not cross a patch port.
        intoBridge(peer, in.map(PortMap.Endpoint::ofport).orElse(-1), p.withTunId(Packet.NO_TUNNEL));
      }
      case TUNNEL -> {
        hops.add(new Hop(port.bridge(), "output to the tunnel to " + port.peerHost() + ": " + p.l2()));
        end(new Outcome.Handoff(port.peerHost(), p));
      }
      case VM -> {
        Packet delivered = p.withVlan(Packet.NO_VLAN);
        if (!port.vmMac().isEmpty() && !port.vmMac().equals(p.ethDst())) {
          end(new Outcome.Dropped("VM port " + port.vmPortId() + " gets a frame for " + p.ethDst() + ", not its MAC "
              + port.vmMac()));
          return;
        }
        hops.add(new Hop(port.bridge(), "output " + port.ofport() + " (VM port " + port.vmPortId() + "): "
            + delivered.l2()));
        end(new Outcome.Delivered("VM port " + port.vmPortId() + " on " + host + ": " + delivered.l3()));
      }
      case PLUGGED -> {
        hops.add(new Hop(port.bridge(), "output " + (port.ofport() > 0 ? port.ofport() + " " : "") + "(" + port.device()
            + " in " + port.namespace() + ")"));
        intoNamespace(port.namespace(), port.device(), p.withVlan(Packet.NO_VLAN), false);
      }
      case OTHER -> end(new Outcome.Delivered("port " + port.name() + " of " + port.bridge() + " on " + host));
    }
  }

  private void intoNamespace(String namespace, String device, Packet p, boolean dnatDone) {
    if (++steps > MAX_STEPS) {
      end(new Outcome.Dropped("more than " + MAX_STEPS + " steps on host " + host + ": the path loops"));
      return;
    }
    NamespaceState ns = state.namespaces().get(namespace);
    if (ns == null || !ns.devices().containsKey(device)) {
      end(new Outcome.Dropped("namespace " + namespace + " with device " + device + " is not on host " + host));
      return;
    }
    NamespaceWalk.Result result = NamespaceWalk.enter(ns, device, p, dnatDone, hops, ip -> VmArp.macOf(view, ip));
    if (result instanceof NamespaceWalk.Leaves leaves) {
      leave(leaves);
    } else {
      end(((NamespaceWalk.Ends) result).outcome());
    }
  }

  private void leave(NamespaceWalk.Leaves out) {
    Device d = out.device();
    if (d.kind() == DeviceKind.VETH) {
      intoNamespace(d.peerNamespace(), d.peer(), out.packet(), out.dnatDone());
      return;
    }
    if (d.bridge().isEmpty()) {
      end(new Outcome.Dropped(out.ns().name() + ": " + d.name() + " is on no bridge"));
      return;
    }
    Optional<PortMap.Endpoint> port = ports.plugged(out.ns().name(), d.name());
    int tag = port.map(PortMap.Endpoint::tag).orElse(OvsPort.NO_TAG);
    if (Names.BR_INT.equals(d.bridge()) && tag == OvsPort.NO_TAG) {
      end(new Outcome.Dropped(out.ns().name() + ": " + d.name() + " has no VLAN tag on " + Names.BR_INT
          + ": OVS drops its frames"));
      return;
    }
    Packet p = out.packet().withVlan(tag == OvsPort.NO_TAG ? Packet.NO_VLAN : tag);
    hops.add(new Hop(out.ns().name(), "out " + d.name() + " to " + d.bridge()
        + (tag == OvsPort.NO_TAG ? "" : " (tag " + tag + ")") + ": " + p.l2()));
    intoBridge(d.bridge(), port.map(PortMap.Endpoint::ofport).orElse(-1), p);
  }

  private void end(Outcome outcome) {
    outcomes.add(outcome);
  }
}

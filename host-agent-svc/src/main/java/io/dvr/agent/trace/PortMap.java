package io.dvr.agent.trace;

import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.OvsPort;
import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What is behind each port of the host's bridges: a VM (with its MAC), one of our devices in a
 * namespace, the patch to the other bridge, the tunnel to a peer host. Observed, OVS says it all;
 * rendered, the ports are the agent's and their ofports the facts it holds (OVS numbers them).
 */
public final class PortMap {

  /** One bridge port. {@code ofport} is -1 where the number is not known (a plugged qr- port, rendered). */
  public record Endpoint(String bridge, int ofport, OvsPort.Kind kind, int tag, String name, String vmPortId,
      String vmMac, String namespace, String device, String peerHost) {

    public String describe() {
      return switch (kind) {
        case VM -> "VM port " + vmPortId;
        case PLUGGED -> device + " (" + namespace + ")";
        case TUNNEL -> "tunnel to " + peerHost;
        case PATCH -> name;
        case OTHER -> name;
      };
    }
  }

  private final List<Endpoint> endpoints;

  private PortMap(List<Endpoint> endpoints) {
    this.endpoints = List.copyOf(endpoints);
  }

  /** The ports of a rendered state, numbered by the agent's facts; {@code vmMacs}: the VM ports' MACs by port id. */
  public static PortMap rendered(HostState rendered, HostFacts facts, Map<String, String> vmMacs) {
    List<Endpoint> out = new ArrayList<>();
    out.add(patch(Names.BR_INT, facts.patchTunOfport(), Names.PATCH_TUN));
    out.add(patch(Names.BR_TUN, facts.patchIntOfport(), Names.PATCH_INT));
    // The tunnel ports the flows name: one per peer the facts number (the ports exist once OVS made them).
    facts.tunnelOfports().forEach((peer, ofport) -> out.add(new Endpoint(Names.BR_TUN, ofport, OvsPort.Kind.TUNNEL,
        OvsPort.NO_TAG, "", "", "", "", "", peer)));
    for (BridgeState bridge : rendered.bridges().values()) {
      for (OvsPort p : bridge.ports().values()) {
        if (p.kind() == OvsPort.Kind.TUNNEL) {
          continue;
        }
        int ofport = switch (p.kind()) {
          case VM -> facts.portOfports().getOrDefault(p.ifaceId(), -1);
          case PLUGGED -> pluggedOfport(facts, p.device());
          default -> p.ofport();
        };
        out.add(endpoint(bridge.name(), p.withOfport(ofport), vmMacs));
      }
    }
    return new PortMap(out);
  }

  /** The ports as OVS reports them. */
  public static PortMap observed(HostState observed, Map<String, String> vmMacs) {
    List<Endpoint> out = new ArrayList<>();
    for (BridgeState bridge : observed.bridges().values()) {
      for (OvsPort p : bridge.ports().values()) {
        out.add(endpoint(bridge.name(), p, vmMacs));
      }
    }
    return new PortMap(out);
  }

  private static Endpoint patch(String bridge, int ofport, String name) {
    return new Endpoint(bridge, ofport, OvsPort.Kind.PATCH, OvsPort.NO_TAG, name, "", "", "", "", "");
  }

  private static Endpoint endpoint(String bridge, OvsPort p, Map<String, String> vmMacs) {
    return new Endpoint(bridge, p.ofport(), p.kind(), p.tag(), p.name(), p.ifaceId(),
        vmMacs.getOrDefault(p.ifaceId(), "").toLowerCase(), p.namespace(), p.device(), p.peerHost());
  }

  /** The facts number plugged ports by port id; the device name is that id cut short. */
  private static int pluggedOfport(HostFacts facts, String device) {
    for (Map.Entry<String, Integer> e : facts.portOfports().entrySet()) {
      String id = e.getKey();
      if (Names.sgDevice(id).equals(device) || Names.qrDevice(id).equals(device)) {
        return e.getValue();
      }
    }
    return -1;
  }

  public List<Endpoint> on(String bridge) {
    return endpoints.stream().filter(e -> e.bridge().equals(bridge)).toList();
  }

  public Optional<Endpoint> at(String bridge, int ofport) {
    return find(e -> e.bridge().equals(bridge) && e.ofport() == ofport && ofport > 0);
  }

  public Optional<Endpoint> vm(String portId) {
    return find(e -> e.kind() == OvsPort.Kind.VM && e.vmPortId().equals(portId));
  }

  public Optional<Endpoint> plugged(String namespace, String device) {
    return find(e -> e.kind() == OvsPort.Kind.PLUGGED && e.namespace().equals(namespace) && e.device().equals(device));
  }

  public Optional<Endpoint> tunnelTo(String peerHost) {
    return find(e -> e.kind() == OvsPort.Kind.TUNNEL && e.peerHost().equals(peerHost));
  }

  /** The patch port of {@code bridge} (br-int: patch-tun, br-tun: patch-int). */
  public Optional<Endpoint> patchOf(String bridge) {
    return find(e -> e.kind() == OvsPort.Kind.PATCH && e.bridge().equals(bridge));
  }

  /** The bridge at the other end of a patch port. */
  static String patchPeerBridge(Endpoint patch) {
    return patch.bridge().equals(Names.BR_INT) ? Names.BR_TUN : Names.BR_INT;
  }

  private Optional<Endpoint> find(Predicate<Endpoint> test) {
    return endpoints.stream().filter(test).findFirst();
  }
}

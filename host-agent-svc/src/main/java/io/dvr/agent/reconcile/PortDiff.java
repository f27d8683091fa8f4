package io.dvr.agent.reconcile;

import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.OvsPort;
import io.dvr.agent.reconcile.Operation.AddTunnelPort;
import io.dvr.agent.reconcile.Operation.DeleteTunnelPort;
import io.dvr.agent.reconcile.Operation.SetPortTag;
import io.dvr.agent.reconcile.Steps.Step;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * Diffs the ports of bridges: adds missing tunnel ports and removes ours (marked with a peer) that
 * are no longer wanted, leaving tunnel ports made by others alone; sets the tag of plugged ports
 * made by this plan and of plugged and VM ports whose tag differs. A VM port that is not plugged
 * is not the agent's to make: nothing is planned for it.
 */
final class PortDiff {
  private PortDiff() {}

  /**
   * @param created the devices this plan makes (or makes again): their OVS ports are new, untagged
   */
  static void diff(SortedMap<String, BridgeState> desired, SortedMap<String, BridgeState> observed,
      Set<Reconciler.DeviceRef> created, Steps steps) {
    for (BridgeState want : desired.values()) {
      Map<String, OvsPort> have = observed.containsKey(want.name()) ? observed.get(want.name()).ports() : Map.of();
      for (OvsPort p : want.ports().values()) {
        OvsPort h = have.get(p.key());
        switch (p.kind()) {
          case TUNNEL -> {
            if (h == null) {
              steps.add(Step.ADD_TUNNEL_PORT, new AddTunnelPort(want.name(), p.name(), p.type(), p.remoteIp(),
                  p.localIp(), p.peerHost()));
            }
          }
          case PLUGGED -> {
            boolean fresh = created.contains(new Reconciler.DeviceRef(p.namespace(), p.device()));
            if (p.tag() != OvsPort.NO_TAG && (fresh || (h != null && h.tag() != p.tag()))) {
              steps.add(Step.SET_PORT_TAG, new SetPortTag(p.namespace(), want.name(), p.device(), p.tag()));
            }
          }
          case VM -> {
            if (p.tag() != OvsPort.NO_TAG && h != null && h.tag() != p.tag()) {
              steps.add(Step.SET_PORT_TAG, new SetPortTag(Operation.ROOT, want.name(), h.name(), p.tag()));
            }
          }
          default -> throw new IllegalArgumentException("bridge " + want.name() + ": cannot make " + p.kind()
              + " port " + p.key());
        }
      }
    }
    for (BridgeState have : observed.values()) {
      BridgeState want = desired.get(have.name());
      for (OvsPort p : have.ports().values()) {
        if (p.ourTunnel() && (want == null || !want.ports().containsKey(p.key()))) {
          steps.add(Step.DELETE_TUNNEL_PORT, new DeleteTunnelPort(have.name(), p.name()));
        }
      }
    }
  }
}

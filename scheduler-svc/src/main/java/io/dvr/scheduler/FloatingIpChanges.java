package io.dvr.scheduler;

import io.dvr.proto.v1.FloatingIpChange;
import io.dvr.proto.v1.FloatingIpFacts;
import io.dvr.proto.v1.FloatingIpInfo;
import io.dvr.proto.v1.ResourceChanged;

/** A floating IP's change as one host sees it, from the facts its event carries. */
final class FloatingIpChanges {
  private FloatingIpChanges() {}

  /** On a port bound to {@code host} now, or not (any more) here. The event must carry the facts. */
  static FloatingIpChange asSeenBy(ResourceChanged event, String host) {
    FloatingIpFacts facts = event.getFloatingIp();
    FloatingIpChange.Builder change = FloatingIpChange.newBuilder().setFloatingIpId(event.getResourceId())
        .setSequence(event.getSequence());
    if (!facts.getPortId().isEmpty() && facts.getHost().equals(host)) {
      change.setRouterId(facts.getRouterId()).setHere(FloatingIpInfo.newBuilder()
          .setFloatingIpId(event.getResourceId()).setFloatingIpAddress(facts.getFloatingIpAddress())
          .setFixedIpAddress(facts.getFixedIpAddress()).setPortId(facts.getPortId())
          .setFloatingNetworkId(facts.getFloatingNetworkId()));
    }
    return change.build();
  }
}

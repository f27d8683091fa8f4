package io.dvr.scheduler;

import io.dvr.proto.v1.HostPortIp;
import io.dvr.proto.v1.PortChange;
import io.dvr.proto.v1.PortFacts;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import java.util.Optional;

/**
 * A port's change as one of its hosts sees it, from the facts its event carries: bound here, or
 * no longer here (deleted, unbound, or bound to another host).
 */
final class PortChanges {
  private PortChanges() {}

  /** Empty when the event is not a port's or carries no facts (a receiver then reads the port back). */
  static Optional<PortChange> asSeenBy(ResourceChanged event, String host) {
    if (event.getResourceType() != ResourceType.RESOURCE_TYPE_PORT || !event.hasPort()) {
      return Optional.empty();
    }
    PortFacts facts = event.getPort();
    PortChange.Builder change = PortChange.newBuilder().setPortId(event.getResourceId())
        .setSequence(event.getSequence());
    // A delete leaves no facts (no MAC): the port is gone from every host.
    if (facts.getMacAddress().isEmpty()) {
      return Optional.of(change.setBoundHere(false).setDeleted(true).build());
    }
    if (!facts.getBindingHost().equals(host)) {
      return Optional.of(change.setBoundHere(false).build());
    }
    change.setBoundHere(true).setMacAddress(facts.getMacAddress()).setNetworkId(event.getNetworkId())
        .setDeviceOwner(facts.getDeviceOwner()).setStatus(facts.getStatus());
    facts.getFixedIpsList().forEach(ip -> change.addFixedIps(HostPortIp.newBuilder().setSubnetId(ip.getSubnetId())
        .setIpAddress(ip.getIpAddress())));
    return Optional.of(change.build());
  }
}

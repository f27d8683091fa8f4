package io.dvr.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.HostPortIp;
import io.dvr.proto.v1.PortAddress;
import io.dvr.proto.v1.PortChange;
import io.dvr.proto.v1.PortFacts;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A port's change as each of its hosts is told it. */
class PortChangesTest {
  private static final ResourceChanged MOVED = ResourceChanged.newBuilder().setSequence(41)
      .setResourceType(ResourceType.RESOURCE_TYPE_PORT).setResourceId("p1").setKind(ChangeKind.CHANGE_KIND_UPDATED)
      .setNetworkId("n1").addRouterIds("r1").addHosts("compute1").addHosts("compute2")
      .setPort(PortFacts.newBuilder().setMacAddress("fa:16:3e:00:00:0b").setDeviceOwner("compute:nova")
          .setBindingHost("compute2").setStatus("DOWN")
          .addFixedIps(PortAddress.newBuilder().setSubnetId("s1").setIpAddress("10.1.0.11"))).build();

  @Test
  @DisplayName("a moved port is bound on its new host, with its MAC, network, owner, status and addresses, and gone from the old")
  void moved() {
    assertThat(PortChanges.asSeenBy(MOVED, "compute2")).contains(PortChange.newBuilder().setPortId("p1").setSequence(41)
        .setBoundHere(true).setMacAddress("fa:16:3e:00:00:0b").setNetworkId("n1").setDeviceOwner("compute:nova")
        .setStatus("DOWN").addFixedIps(HostPortIp.newBuilder().setSubnetId("s1").setIpAddress("10.1.0.11")).build());
    assertThat(PortChanges.asSeenBy(MOVED, "compute1")).contains(PortChange.newBuilder().setPortId("p1").setSequence(41)
        .build());
  }

  @Test
  @DisplayName("a deleted port is gone from its host; an event without the port's facts, or not a port's, tells nothing")
  void deletedOrNoFacts() {
    ResourceChanged deleted = MOVED.toBuilder().setKind(ChangeKind.CHANGE_KIND_DELETED).setPort(PortFacts.getDefaultInstance())
        .build();
    assertThat(PortChanges.asSeenBy(deleted, "compute2")).contains(PortChange.newBuilder().setPortId("p1").setSequence(41)
        .setDeleted(true).build());
    assertThat(PortChanges.asSeenBy(MOVED.toBuilder().clearPort().build(), "compute2")).isEmpty();
    assertThat(PortChanges.asSeenBy(MOVED.toBuilder().setResourceType(ResourceType.RESOURCE_TYPE_FLOATING_IP).build(),
        "compute2")).isEmpty();
  }
}

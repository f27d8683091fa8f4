package io.dvr.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.FloatingIpChange;
import io.dvr.proto.v1.FloatingIpFacts;
import io.dvr.proto.v1.FloatingIpInfo;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A floating IP's change as each host of the ports it moved on and off is told it. */
class FloatingIpChangesTest {
  private static final ResourceChanged MOVED = ResourceChanged.newBuilder().setSequence(12)
      .setResourceType(ResourceType.RESOURCE_TYPE_FLOATING_IP).setResourceId("f1").setKind(ChangeKind.CHANGE_KIND_UPDATED)
      .addRouterIds("r1").setFloatingIp(FloatingIpFacts.newBuilder().setFloatingIpAddress("192.168.1.120")
          .setFloatingNetworkId("ext").setPortId("p2").setFixedIpAddress("10.1.0.12").setRouterId("r1")
          .setHost("compute2").setPreviousHost("compute1")).build();

  @Test
  @DisplayName("moved to a port on another host: on the new host as its router holds it, gone from the old one")
  void moved() {
    assertThat(FloatingIpChanges.asSeenBy(MOVED, "compute2")).isEqualTo(FloatingIpChange.newBuilder()
        .setFloatingIpId("f1").setSequence(12).setRouterId("r1").setHere(FloatingIpInfo.newBuilder()
            .setFloatingIpId("f1").setFloatingIpAddress("192.168.1.120").setFixedIpAddress("10.1.0.12")
            .setPortId("p2").setFloatingNetworkId("ext")).build());
    assertThat(FloatingIpChanges.asSeenBy(MOVED, "compute1")).isEqualTo(FloatingIpChange.newBuilder()
        .setFloatingIpId("f1").setSequence(12).build());
  }

  @Test
  @DisplayName("disassociated or deleted: on no port, so gone from the host it was on")
  void onNoPort() {
    ResourceChanged off = MOVED.toBuilder().setFloatingIp(FloatingIpFacts.newBuilder()
        .setFloatingIpAddress("192.168.1.120").setFloatingNetworkId("ext").setPreviousHost("compute1")).build();
    assertThat(FloatingIpChanges.asSeenBy(off, "compute1").hasHere()).isFalse();
  }
}

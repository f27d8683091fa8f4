package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreatePortsRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.GetPortRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.ReportAgentStateRequest;
import io.dvr.proto.v1.Subnet;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A create's reply is built from what the port insert returned and the addresses taken, not read
 * back: it must be exactly what a read of the port shows.
 */
@DisplayName("A created port's reply is what a read of it shows: addresses in address order, binding, status, revision, times")
class PortReplyTest {
  @TempDir static Path dataDir;
  static GatewayFixture gw;
  static Network net;
  static Subnet low;
  static Subnet high;

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
    gw.asAgent("compute1").call(AgentServiceGrpcClient.ReportAgentState, ReportAgentStateRequest.newBuilder()
        .setHost("compute1").setAgentType("L3 agent").setAgentMode("dvr").setBinary("host-agent-svc")
        .setStartFlag(true).build());
    net = SeedTopology.network(gw, "replies");
    low = SeedTopology.subnet(gw, net, "low", "10.47.0.0/24");
    high = SeedTopology.subnet(gw, net, "high", "10.47.1.0/24");
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static Port read(Port p) {
    return gw.call(PortServiceGrpcClient.GetPort, GetPortRequest.newBuilder().setId(p.getId()).build());
  }

  private static CreatePortRequest port(String name, String host) {
    return CreatePortRequest.newBuilder().setNetworkId(net.getId()).setName(name).setDeviceOwner("compute:nova")
        .setDeviceId("vm-" + name).setBindingHost(host)
        // Asked high address first: a read lists them in address order.
        .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(high.getId()).setIpAddress("10.47.1.9"))
        .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(low.getId()).setIpAddress("10.47.0.200"))
        .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(low.getId()))
        .build();
  }

  @Test
  @DisplayName("CreatePort: on a host with an agent, on one without, and unbound")
  void createPortReplyIsTheRead() {
    Port bound = gw.call(PortServiceGrpcClient.CreatePort, port("a", "compute1"));
    assertThat(bound.getFixedIpsList()).extracting(f -> f.getIpAddress())
        .containsExactly(bound.getFixedIps(0).getIpAddress(), "10.47.0.200", "10.47.1.9");
    assertThat(bound.getBindingVifType()).isEqualTo("ovs");
    assertThat(bound).isEqualTo(read(bound));

    Port ghost = gw.call(PortServiceGrpcClient.CreatePort, port("b", "ghost").toBuilder().clearFixedIps().build());
    assertThat(ghost.getBindingVifType()).isEqualTo("binding_failed");
    assertThat(ghost).isEqualTo(read(ghost));

    Port unbound = gw.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(net.getId())
        .setMacAddress("FA:16:3E:00:AB:CD").setAdminStateUp(false).build());
    assertThat(unbound.getMacAddress()).isEqualTo("fa:16:3e:00:ab:cd");
    assertThat(unbound).isEqualTo(read(unbound));
  }

  @Test
  @DisplayName("CreatePorts: every port of the bulk create as a read shows it, in the order asked")
  void bulkCreateRepliesAreTheReads() {
    List<Port> made = gw.call(PortServiceGrpcClient.CreatePorts, CreatePortsRequest.newBuilder()
        .addPorts(port("c", "compute1").toBuilder().clearFixedIps()
            .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(high.getId()))
            .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(low.getId())))
        .addPorts(port("d", "").toBuilder().clearFixedIps())
        .build()).getPortsList();
    assertThat(made).hasSize(2);
    for (Port p : made) {
      assertThat(p).isEqualTo(read(p));
    }
  }
}

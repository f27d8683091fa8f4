package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.GetPortRequest;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.ReportAgentStateRequest;
import io.dvr.proto.v1.UpdatePortRequest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A port's binding:vif_type says unbound, ovs, or binding_failed on a host without an agent")
class PortBindingTest {
  @TempDir static Path dataDir;
  static GatewayFixture gw;
  static Network net;

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
    register("compute1");
    net = SeedTopology.network(gw, "vms");
    SeedTopology.subnet(gw, net, "vms", "10.44.0.0/24");
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static void register(String host) {
    gw.asAgent(host).call(AgentServiceGrpcClient.ReportAgentState, ReportAgentStateRequest.newBuilder().setHost(host)
        .setAgentType("L3 agent").setAgentMode("dvr").setBinary("host-agent-svc").setStartFlag(true).build());
  }

  private static Port port(String host) {
    return gw.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(net.getId())
        .setDeviceOwner("compute:nova").setBindingHost(host).build());
  }

  private static Port get(Port p) {
    return gw.call(PortServiceGrpcClient.GetPort, GetPortRequest.newBuilder().setId(p.getId()).build());
  }

  @Test
  @DisplayName("no host: unbound; a host with an agent: ovs; a host without one: binding_failed, until an agent registers")
  void vifTypeFollowsTheAgents() {
    assertThat(port("").getBindingVifType()).isEqualTo("unbound");
    assertThat(port("compute1").getBindingVifType()).isEqualTo("ovs");
    Port ghost = port("ghost");
    assertThat(ghost.getBindingVifType()).isEqualTo("binding_failed");
    assertThat(ghost.getStatus().name()).isEqualTo("STATUS_DOWN");
    assertThat(gw.call(PortServiceGrpcClient.ListPorts, ListPortsRequest.newBuilder().setBindingHost("ghost").build())
        .getPorts(0).getBindingVifType()).isEqualTo("binding_failed");

    register("ghost");
    assertThat(get(ghost).getBindingVifType()).isEqualTo("ovs");

    Port moved = gw.call(PortServiceGrpcClient.UpdatePort, UpdatePortRequest.newBuilder().setId(ghost.getId())
        .setBindingHost("nowhere").build());
    assertThat(moved.getBindingVifType()).isEqualTo("binding_failed");
  }
}

package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.grpc.RpcFailure;
import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.GetAgentRequest;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.ReportAgentStateRequest;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentLivenessTest {
  @TempDir Path dataDir;

  @Test
  @DisplayName("an agent shows alive after its report and dead once no heartbeat came for the configured down time; the next heartbeat revives it")
  void aliveThenDeadThenAlive() {
    try (GatewayFixture gw = GatewayFixture.start(dataDir.resolve("pg"), Map.of("agent.down-time-seconds", "1"))) {
      ReportAgentStateRequest report = ReportAgentStateRequest.newBuilder().setHost("compute1").setAgentType("L3 agent")
          .setAgentMode("dvr").setBinary("host-agent-svc").setTunnelIp("172.31.0.12").setStartFlag(true).build();
      Agent agent = gw.asAgent("compute1").call(AgentServiceGrpcClient.ReportAgentState, report);
      assertThat(agent.getAlive()).isTrue();
      assertThat(agent.getTunnelIp()).isEqualTo("172.31.0.12");
      Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> !gw.call(AgentServiceGrpcClient.GetAgent,
          GetAgentRequest.newBuilder().setId(agent.getId()).build()).getAlive());
      assertThat(gw.call(AgentServiceGrpcClient.ListAgents, ListAgentsRequest.getDefaultInstance()).getAgentsList())
          .singleElement().satisfies(a -> assertThat(a.getAlive()).isFalse());
      Agent again = gw.asAgent("compute1").call(AgentServiceGrpcClient.ReportAgentState, report.toBuilder().setStartFlag(false).build());
      assertThat(again.getId()).isEqualTo(agent.getId());
      assertThat(again.getAlive()).isTrue();
    }
  }

  @Test
  @DisplayName("a report with a bad mode or tunnel address is INVALID_ARGUMENT naming the field")
  void badReports() {
    try (GatewayFixture gw = GatewayFixture.start(dataDir.resolve("pg2"))) {
      RpcFailure mode = gw.asAgent("compute1").fail(AgentServiceGrpcClient.ReportAgentState, ReportAgentStateRequest.newBuilder()
          .setHost("compute1").setAgentType("L3 agent").setAgentMode("dvr_fast").build());
      assertThat(mode.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
      assertThat(mode.detail()).contains("agent_mode 'dvr_fast'");
      RpcFailure tunnel = gw.asAgent("compute1").fail(AgentServiceGrpcClient.ReportAgentState, ReportAgentStateRequest.newBuilder()
          .setHost("compute1").setAgentType("L3 agent").setAgentMode("dvr").setTunnelIp("172.31.0.300").build());
      assertThat(tunnel.detail()).contains("tunnel_ip '172.31.0.300'");
      RpcFailure host = gw.asAgent("compute1").fail(AgentServiceGrpcClient.ReportAgentState, ReportAgentStateRequest.newBuilder()
          .setHost("compute1; rm -rf /").setAgentType("L3 agent").setAgentMode("dvr").build());
      assertThat(host.detail()).contains("host 'compute1; rm -rf /'");
      assertThat(gw.call(AgentServiceGrpcClient.ListAgents, ListAgentsRequest.getDefaultInstance()).getAgentsList()).isEmpty();
    }
  }
}

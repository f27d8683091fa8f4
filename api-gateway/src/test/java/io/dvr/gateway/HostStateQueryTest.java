package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.grpc.RpcFailure;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.GetHostStateRequest;
import io.dvr.proto.v1.ReportAgentStateRequest;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("GetHostState names the host when it is unknown or its agent is not running, without bus details")
class HostStateQueryTest {
  @TempDir static Path dataDir;
  static GatewayFixture gw;

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
    // Registered as its agent would be, but no agent runs to answer.
    gw.asAgent("compute1").call(AgentServiceGrpcClient.ReportAgentState, ReportAgentStateRequest.newBuilder().setHost("compute1")
        .setAgentType("L3 agent").setAgentMode("dvr").setBinary("host-agent-svc").setStartFlag(true).build());
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  @DisplayName("a host no agent has registered on is NOT_FOUND naming the host")
  void unknownHost() {
    RpcFailure f = gw.fail(AgentServiceGrpcClient.GetHostState, GetHostStateRequest.newBuilder().setHost("nohost").build());
    assertThat(f.status()).as(f.getMessage()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(f.detail()).contains("host 'nohost' not found").doesNotContain("dvr.host", "No handlers");
  }

  @Test
  @DisplayName("a registered host whose agent is not running is UNAVAILABLE saying so, naming the host")
  void agentNotRunning() {
    RpcFailure f = gw.fail(AgentServiceGrpcClient.GetHostState, GetHostStateRequest.newBuilder().setHost("compute1").build());
    assertThat(f.status()).as(f.getMessage()).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(f.detail()).contains("the agent of host 'compute1' is not running")
        .doesNotContain("dvr.host", "No handlers");
  }
}

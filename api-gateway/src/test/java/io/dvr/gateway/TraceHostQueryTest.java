package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.grpc.RpcFailure;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.IssueTokenRequest;
import io.dvr.proto.v1.ReportAgentStateRequest;
import io.dvr.proto.v1.TokenServiceGrpcClient;
import io.dvr.proto.v1.TraceHostRequest;
import io.dvr.proto.v1.TracePacket;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("TraceHost is an admin's, and names the host when it is unknown or its agent is not running")
class TraceHostQueryTest {
  @TempDir static Path dataDir;
  static GatewayFixture gw;

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
    gw.asAgent("compute1").call(AgentServiceGrpcClient.ReportAgentState, ReportAgentStateRequest.newBuilder()
        .setHost("compute1").setAgentType("L3 agent").setAgentMode("dvr").setBinary("host-agent-svc").build());
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static TraceHostRequest leg(String host) {
    return TraceHostRequest.newBuilder().setHost(host).setFromExternal(true)
        .setPacket(TracePacket.newBuilder().setIpSrc("192.168.1.20").setIpDst("192.168.1.116")).build();
  }

  @Test
  @DisplayName("a host no agent has registered on is NOT_FOUND naming the host")
  void unknownHost() {
    RpcFailure f = gw.fail(AgentServiceGrpcClient.TraceHost, leg("nohost"));
    assertThat(f.status()).as(f.getMessage()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(f.detail()).contains("host 'nohost' not found").doesNotContain("dvr.host", "No handlers");
  }

  @Test
  @DisplayName("a registered host whose agent is not running is UNAVAILABLE saying so")
  void agentNotRunning() {
    RpcFailure f = gw.fail(AgentServiceGrpcClient.TraceHost, leg("compute1"));
    assertThat(f.status()).as(f.getMessage()).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(f.detail()).contains("the agent of host 'compute1' is not running").doesNotContain("dvr.host");
  }

  @Test
  @DisplayName("a member may not trace: the hosts' state is an admin's to see")
  void adminsOnly() {
    ApiClient member = gw.as(gw.call(TokenServiceGrpcClient.IssueToken, IssueTokenRequest.newBuilder()
        .setProjectId("alpha").setRole("member").setTtlSeconds(3600).build()).getToken());
    RpcFailure f = member.fail(AgentServiceGrpcClient.TraceHost, leg("compute1"));
    assertThat(f.status()).as(f.getMessage()).isEqualTo(GrpcStatus.PERMISSION_DENIED);
  }
}

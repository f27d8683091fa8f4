package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.dvr.common.grpc.RpcFailure;
import io.dvr.common.security.AgentCalls;
import io.dvr.common.security.Identity;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.ReportAgentStateRequest;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ReportAgentState is the agent's alone: its certificate must name the host it reports for. */
class AgentIdentityTest {
  @TempDir
  static Path dataDir;
  static GatewayFixture gw;

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static ReportAgentStateRequest report(String host) {
    return ReportAgentStateRequest.newBuilder().setHost(host).setAgentType("L3 agent").setAgentMode("dvr_snat")
        .setBinary("host-agent-svc").setTunnelIp("10.9.9.9").setStartFlag(true).build();
  }

  private static long agentsOn(String host) {
    return gw.call(AgentServiceGrpcClient.ListAgents, ListAgentsRequest.newBuilder().setHost(host).build()).getAgentsCount();
  }

  @Test
  @DisplayName("a caller without a client certificate (a user, as dvrctl connects) cannot register an agent: UNAUTHENTICATED, nothing registered")
  void noCertificate() {
    RpcFailure refused = gw.fail(AgentServiceGrpcClient.ReportAgentState, report("rogue1"));
    assertThat(refused.status()).isEqualTo(GrpcStatus.UNAUTHENTICATED);
    assertThat(refused.detail()).contains("for host agents only").contains("'rogue1'");
    assertThat(agentsOn("rogue1")).isZero();
  }

  @Test
  @DisplayName("a certificate of the CA that is not a host agent's (a service's) cannot register an agent: PERMISSION_DENIED")
  void serviceCertificate() {
    ApiClient service = new ApiClient(gw.vertx, gw.port(), TestSecurity.as(Identity.service("scheduler-svc")));
    RpcFailure refused = service.fail(AgentServiceGrpcClient.ReportAgentState, report("rogue2"));
    assertThat(refused.status()).isEqualTo(GrpcStatus.PERMISSION_DENIED);
    assertThat(refused.detail()).contains("not a host agent's");
    assertThat(agentsOn("rogue2")).isZero();
  }

  @Test
  @DisplayName("the agent of one host reporting for another is PERMISSION_DENIED and logged once, naming the claimed host and the certificate")
  void otherHost() {
    gw.asAgent("compute2").call(AgentServiceGrpcClient.ReportAgentState, report("compute2"));
    try (LogCapture log = new LogCapture(AgentCalls.class)) {
      RpcFailure refused = gw.asAgent("compute1").fail(AgentServiceGrpcClient.ReportAgentState, report("compute2")
          .toBuilder().setTunnelIp("10.6.6.6").build());
      assertThat(refused.status()).isEqualTo(GrpcStatus.PERMISSION_DENIED);
      assertThat(refused.detail()).isEqualTo(
          "the agent of host 'compute1' may call ReportAgentState only for its own host, not for host 'compute2'");
      assertThat(log.events()).singleElement().satisfies(e -> {
        assertThat(e.getLevel()).isEqualTo(Level.WARN);
        assertThat(e.getFormattedMessage()).contains("host 'compute2'").contains("CN=compute1")
            .contains("OU=dvr host agent");
      });
    }
    // compute2's registration is as its own agent left it.
    assertThat(gw.call(AgentServiceGrpcClient.ListAgents, ListAgentsRequest.newBuilder().setHost("compute2").build())
        .getAgents(0).getTunnelIp()).isEqualTo("10.9.9.9");
  }

  @Test
  @DisplayName("the agent of a host reports for its own host")
  void ownHost() {
    assertThat(gw.asAgent("network").call(AgentServiceGrpcClient.ReportAgentState, report("network")).getHost())
        .isEqualTo("network");
  }
}

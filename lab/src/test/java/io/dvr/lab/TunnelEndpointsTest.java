package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.HostAgentService;
import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.DeleteAgentRequest;
import io.dvr.proto.v1.ReportAgentStateRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every agent follows the other hosts' tunnel endpoints (the underlay addresses its VXLAN ports
 * point at) as they are registered, changed and removed, without waiting for a periodic resync:
 * a stale endpoint leaves a host's VMs cut off from the others.
 */
class TunnelEndpointsTest {

  @Test
  @DisplayName("a host's tunnel endpoint reaches every agent when registered, changed and removed")
  void endpointsFollowTheAgents(@TempDir Path dir) {
    // A periodic resync an hour away: whatever arrives here comes from the announcements.
    try (LabFixture f = LabFixture.start(dir, Map.of("agent.resync-seconds", "3600"))) {
      f.awaitConverged();
      ReportAgentStateRequest compute3 = ReportAgentStateRequest.newBuilder().setHost("compute3")
          .setAgentType("L3 agent").setAgentMode("dvr").setBinary("host-agent-svc").setStartFlag(true)
          .setTunnelIp("172.31.0.14").build();
      Agent agent = f.api.asAgent("compute3").call(AgentServiceGrpcClient.ReportAgentState, compute3);
      awaitEveryAgentSees(f, "compute3", "172.31.0.14");

      // The host's underlay was renumbered: its next heartbeat (no restart) carries the new address.
      f.api.asAgent("compute3").call(AgentServiceGrpcClient.ReportAgentState,
          compute3.toBuilder().setStartFlag(false).setTunnelIp("172.31.0.24").build());
      awaitEveryAgentSees(f, "compute3", "172.31.0.24");

      f.api.call(AgentServiceGrpcClient.DeleteAgent, DeleteAgentRequest.newBuilder().setId(agent.getId()).build());
      awaitEveryAgentSees(f, "compute3", null);
    }
  }

  private static void awaitEveryAgentSees(LabFixture f, String host, String endpoint) {
    Awaitility.await(host + " at " + endpoint + " on every agent").atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
          for (Map.Entry<String, HostAgentService> agent : f.lab.agents().entrySet()) {
            assertThat(agent.getValue().tunnelEndpoints().get(host)).as("on %s", agent.getKey()).isEqualTo(endpoint);
          }
        });
  }
}

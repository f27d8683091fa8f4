package io.dvr.clusterit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.gateway.ApiClient;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.HaState;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.ListRouterHostsRequest;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.UpdateAgentRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An HA router's drain with two scheduler-svc processes on one database and one clustered bus,
 * and the agents' SNAT leases renewed through either: both instances check the drains, each step
 * is done once (the router's advisory lock), and with one instance killed the other drains alone.
 * Hosts n1 and n2 are dvr_snat, n3 dvr.
 */
@ExtendWith(LogTailsOnFailure.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("HA drain with two scheduler-svc instances: done once while both run, done by the survivor when one is killed")
class HaDrainInstancesTest {
  private static final List<String> SNAT_HOSTS = List.of("n1", "n2");
  private static final Duration SETTLE = Duration.ofSeconds(60);
  static Cluster cluster;
  static ApiClient api;
  static Router router;

  @BeforeAll
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  static void start() {
    cluster = Cluster.start("ha-drain", 1, Map.of());
    api = cluster.api;
    cluster.startAgents("n", 3, 2, Duration.ofSeconds(60));
    Subnet ext = Topology.externalSubnet(api, "ext", "172.24.12");
    router = api.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("ha1")
        .setHa(true).setGatewayNetworkId(ext.getNetworkId()).build());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  @DisplayName("both instances running: admin-down of the active host moves the active role once (one start, one finish in both logs together); admin-up brings the host back as standby")
  void drainOnceWithTwoInstances() {
    String was = awaitActiveAndStandby();
    String next = other(was);
    adminState(was, false);
    awaitRoles(Map.of(next, "active"));
    // Each instance logs a step it did after its commit: wait for the lines, then count them.
    Awaitility.await("the drain's log lines").atMost(SETTLE).until(() -> countInSchedulerLogs("SNAT drained from " + was) >= 1);
    assertThat(countInSchedulerLogs("draining its SNAT from " + was)).as("drain started").isEqualTo(1);
    assertThat(countInSchedulerLogs("SNAT drained from " + was)).as("drain finished").isEqualTo(1);
    adminState(was, true);
    awaitRoles(Map.of(was, "standby", next, "active"));
  }

  @Test
  @Order(2)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  @DisplayName("scheduler-1 killed (SIGKILL): scheduler-2 alone drains the active host")
  void survivorDrains() {
    cluster.process("scheduler-1").kill9();
    String was = awaitActiveAndStandby();
    String next = other(was);
    long before = cluster.process("scheduler-2").log().lines().filter(l -> l.contains("SNAT drained from " + was)).count();
    adminState(was, false);
    awaitRoles(Map.of(next, "active"));
    Awaitility.await("drained by scheduler-2").atMost(SETTLE).until(() -> cluster.process("scheduler-2").log().lines()
        .filter(l -> l.contains("SNAT drained from " + was)).count() == before + 1);
    adminState(was, true);
    awaitRoles(Map.of(was, "standby", next, "active"));
  }

  static Map<String, String> roles() {
    Map<String, String> roles = new TreeMap<>();
    for (RouterHost h : api.call(RouterServiceGrpcClient.ListRouterHosts, ListRouterHostsRequest.newBuilder()
        .setRouterId(router.getId()).build()).getHostsList()) {
      if (h.getSnat()) {
        roles.put(h.getHost(), h.getHaState() == HaState.HA_STATE_ACTIVE ? "active" : "standby");
      }
    }
    return roles;
  }

  static void awaitRoles(Map<String, String> expected) {
    Awaitility.await("roles " + expected).atMost(SETTLE).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(roles()).isEqualTo(expected));
  }

  /** The active host once one is active and the other standby. */
  static String awaitActiveAndStandby() {
    Awaitility.await("one active, one standby").atMost(SETTLE).pollInterval(Duration.ofMillis(200))
        .until(() -> roles().keySet().equals(new java.util.TreeSet<>(SNAT_HOSTS))
            && roles().values().stream().sorted().toList().equals(List.of("active", "standby")));
    return roles().entrySet().stream().filter(e -> e.getValue().equals("active")).findFirst().orElseThrow().getKey();
  }

  static String other(String host) {
    return SNAT_HOSTS.get(1 - SNAT_HOSTS.indexOf(host));
  }

  static void adminState(String host, boolean up) {
    String id = api.call(AgentServiceGrpcClient.ListAgents, ListAgentsRequest.newBuilder().setHost(host).build())
        .getAgentsList().stream().filter(a -> a.getAgentType().equals("L3 agent")).findFirst().orElseThrow().getId();
    api.call(AgentServiceGrpcClient.UpdateAgent, UpdateAgentRequest.newBuilder().setId(id).setAdminStateUp(up).build());
  }

  static long countInSchedulerLogs(String text) {
    return List.of("scheduler-1", "scheduler-2").stream()
        .mapToLong(s -> cluster.process(s).log().lines().filter(l -> l.contains(text)).count()).sum();
  }
}

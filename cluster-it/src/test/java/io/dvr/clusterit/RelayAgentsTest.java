package io.dvr.clusterit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.model.AgentModes;
import io.dvr.common.security.Identity;
import io.dvr.common.security.SecurityMaterial;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.TestSecurity;
import io.dvr.proto.v1.DeletePortRequest;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.Subnet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * Host agents that are no cluster members: each holds one gRPC stream to a relay (relay-svc, a
 * member), over its host certificate. One instance of each service, relays relay-1 and relay-2,
 * agents a1 (dvr_snat) and a3 listing relay-1 first, a2 listing relay-2 first; each agent in its
 * own JVM. Every host's state is read through api-gateway, so each reading crosses the bus and a
 * relay to reach the agent. The tests run in order: each one leaves the relays as the next expects
 * (relay-1 killed in the third, relay-2 in the fourth, which restarts relay-1).
 */
@ExtendWith(LogTailsOnFailure.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Host agents attached through relays instead of joining the cluster")
class RelayAgentsTest {
  private static final List<String> HOSTS = List.of("a1", "a2", "a3");
  /** api-gateway, scheduler-svc, mac-allocator-svc, arp-svc and the two relays: never an agent. */
  private static final int MEMBERS = 6;
  private static final Duration CONVERGED = Duration.ofSeconds(60);
  /** Only the messages, and the full fetch after a lost stream, bring changes: no periodic resync within the test. */
  private static final Map<String, String> NO_PERIODIC_RESYNC = Map.of("DVR_AGENT_RESYNC_SECONDS", "3600");
  static Cluster cluster;
  static ApiClient api;
  static JvmProcess relay1;
  static JvmProcess relay2;
  static final Map<String, JvmProcess> agents = new HashMap<>();
  static Subnet net1;
  static Subnet net2;
  static Router router;
  static final Map<String, Port> vms = new HashMap<>();

  @BeforeAll
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  static void start() {
    // One of each service; the two slots reserved for agent JVMs are the relays' (they are members).
    cluster = Cluster.start("relays", 2, Map.of(), 1);
    api = cluster.api;
    relay1 = cluster.startRelay("relay-1");
    relay2 = cluster.startRelay("relay-2");
    cluster.awaitMembers(MEMBERS);
    List<Integer> oneFirst = List.of(relay1.port, relay2.port);
    agents.put("a1", cluster.startRelayedAgent("a1", AgentModes.DVR_SNAT, oneFirst, NO_PERIODIC_RESYNC,
        Duration.ofSeconds(90)));
    agents.put("a2", cluster.startRelayedAgent("a2", AgentModes.DVR, List.of(relay2.port, relay1.port),
        NO_PERIODIC_RESYNC, Duration.ofSeconds(90)));
    agents.put("a3", cluster.startRelayedAgent("a3", AgentModes.DVR, oneFirst, NO_PERIODIC_RESYNC, Duration.ofSeconds(90)));

    Subnet ext = Topology.externalSubnet(api, "ext", "172.24.4");
    router = Topology.router(api, "r1");
    net1 = Topology.subnet(api, "net1", "10.1.0.0/24");
    net2 = Topology.subnet(api, "net2", "10.2.0.0/24");
    Topology.attach(api, router.getId(), net1);
    Topology.attach(api, router.getId(), net2);
    api.call(RouterServiceGrpcClient.SetRouterGateway, Topology.gateway(router.getId(), ext.getNetworkId()));
    vm("vm1", net1, "a2");
    vm("vm2", net2, "a3");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  @DisplayName("a distributed router with VM ports converges on every host, each read through api-gateway, the bus and a relay")
  void converges() {
    converge();
    assertThat(agents.get("a1").log()).contains("host a1: attached to relay relay-1");
    assertThat(agents.get("a2").log()).contains("host a2: attached to relay relay-2");
    assertThat(agents.get("a3").log()).contains("host a3: attached to relay relay-1");
    assertThat(relay1.log()).contains("host a1 attached", "host a3 attached");
    assertThat(relay2.log()).contains("host a2 attached");
  }

  @Test
  @Order(2)
  @DisplayName("the agents stay out of the cluster although told its name and members: its members are the services and the relays")
  void agentsAreNoMembers() {
    assertThat(cluster.members()).as("members in api-gateway's last member list").isEqualTo(MEMBERS);
    for (String host : HOSTS) {
      assertThat(agents.get(host).log()).as("log of the agent of " + host).doesNotContain("Members {size:");
    }
  }

  @Test
  @Order(3)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("kill -9 of relay-1: its agents attach to relay-2, a2 there keeps its stream, and a port created and a port deleted afterwards reach them")
  void relayKilled() {
    long a1Mark = agents.get("a1").logMark();
    long a2Mark = agents.get("a2").logMark();
    long a3Mark = agents.get("a3").logMark();
    relay1.kill9();
    awaitLog(agents.get("a1"), a1Mark, "host a1: attached to relay relay-2");
    awaitLog(agents.get("a3"), a3Mark, "host a3: attached to relay relay-2");
    // Until Hazelcast drops relay-1, api-gateway may still route a host's requests to it.
    cluster.awaitMembers(MEMBERS - 1);
    // The relay takes an agent's addresses on the bus as the agent asks, after its welcome; what is
    // published before the services know them is lost until the next full fetch. The agents are
    // ready again when they answer through api-gateway, as the harness waits for a started agent.
    awaitAnswers("a1");
    awaitAnswers("a3");

    // After the move: a new VM on a1 (every host on the router needs its neighbour entry), and a3
    // loses its only VM (it must let go of the router).
    vm("vm3", net1, "a1");
    api.call(PortServiceGrpcClient.DeletePort, DeletePortRequest.newBuilder().setId(vms.remove("vm2").getId()).build());
    converge();
    assertThat(Topology.hostState(api, "a3").get("ip netns")).doesNotContain(router.getId());
    assertThat(agents.get("a2").logSince(a2Mark)).as("a2, on relay-2 throughout").doesNotContain("host a2: relay ");
  }

  @Test
  @Order(4)
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  @DisplayName("with no relay left a VM port created meanwhile reaches no agent; relay-1 restarted serves them again and each fetches it in full")
  void noRelayThenRestarted() {
    Map<String, Long> marks = new HashMap<>();
    HOSTS.forEach(h -> marks.put(h, agents.get(h).logMark()));
    relay2.kill9();
    for (String host : HOSTS) {
      awaitLog(agents.get(host), marks.get(host), "host " + host + ": relay 127.0.0.1:" + relay2.port + ": ");
    }
    // relay-1 is dead since the test before: no agent is attached anywhere while this port is made,
    // so its messages reach none of them; and no periodic resync is due (an hour).
    vm("vm4", net2, "a3");

    long relay1Mark = relay1.logMark(); // the restarted relay appends to the same log
    relay1 = cluster.restart("relay-1", Duration.ofSeconds(60));
    for (String host : HOSTS) {
      awaitLog(agents.get(host), marks.get(host), "host " + host + ": attached to relay relay-1");
      awaitLog(agents.get(host), marks.get(host), "host " + host + ": the link to the control plane was lost and is back");
    }
    cluster.awaitMembers(MEMBERS - 1);
    converge();
    assertThat(relay1.logSince(relay1Mark)).contains("host a1 attached", "host a2 attached", "host a3 attached");
  }

  @Test
  @Order(5)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("an agent that names a host other than its certificate's is refused by the relay, and its log says why")
  void impostorRefused() {
    TestSecurity.agent("stranger");
    String keystore = SecurityMaterial.at(cluster.securityDir()).keystore(Identity.hostAgent("stranger")).toString();
    long relayMark = relay1.logMark();
    JvmProcess impostor = cluster.launchRelayed("impostor", AgentModes.DVR, List.of(relay1.port),
        Map.of("DVR_GRPC_TLS_KEYSTORE", keystore));
    String why = "the agent of host 'stranger' may attach only for its own host, not for host 'impostor'";
    awaitLog(impostor, 0, "PERMISSION_DENIED " + why);
    awaitLog(relay1, relayMark, "refused a stream: " + why);
    assertThat(impostor.log()).doesNotContain("attached to relay");
    impostor.stop();
    // Neither the frames the impostor sent behind its hello nor its stop in the middle of its retries
    // may leave an exception unhandled; nor anything before on a relay or an agent.
    for (JvmProcess p : List.of(relay1, relay2, agents.get("a1"), agents.get("a2"), agents.get("a3"), impostor)) {
      assertThat(p.log()).as("log of " + p).doesNotContain("Unhandled exception");
    }
  }

  @Test
  @Order(6)
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  @DisplayName("SIGTERM: an agent ends its stream before its JVM exits, and a relay ends its agents' streams saying it stops")
  void terminatedInOrder() {
    long relayMark = relay1.logMark();
    long a2Mark = agents.get("a2").logMark();
    JvmProcess a1 = agents.remove("a1");
    a1.stop();
    awaitLog(relay1, relayMark, "host a1: detached (its agent ended the stream)");
    assertThat(relay1.logSince(relayMark)).doesNotContain("host a1: stream broken");
    assertThat(a1.log()).contains("host-agent stopped");

    relay1.stop();
    awaitLog(agents.get("a2"), a2Mark, "relay stopping");
    assertThat(relay1.logSince(relayMark)).contains("relay stopped");
  }

  private static void vm(String name, Subnet subnet, String host) {
    vms.put(name, api.call(PortServiceGrpcClient.CreatePort, Topology.vm(subnet, name, host)));
  }

  /**
   * Waits until the router shows on every host as the API's view says. A reading that fails (a
   * relay's bus consumers not yet known to api-gateway) counts as not converged yet.
   */
  private static void converge() {
    RouterConvergence convergence = new RouterConvergence(api, HOSTS);
    List<String> last = new ArrayList<>();
    Deadline deadline = new Deadline(CONVERGED, () -> "hosts did not converge:\n  " + String.join("\n  ", last));
    while (true) {
      last.clear();
      try {
        last.addAll(convergence.problems(router.getId()));
      } catch (RuntimeException e) {
        last.add("reading the hosts failed: " + e.getMessage());
      }
      if (last.isEmpty()) {
        return;
      }
      deadline.check();
      deadline.pause();
    }
  }

  /** Waits until the host's state can be read through api-gateway (its relay's consumers known to the bus). */
  private static void awaitAnswers(String host) {
    String[] last = {""};
    Deadline deadline = new Deadline(Duration.ofSeconds(30), () -> host + " does not answer GetHostState: " + last[0]);
    while (true) {
      try {
        Topology.hostState(api, host);
        return;
      } catch (RuntimeException e) {
        last[0] = e.getMessage();
      }
      deadline.check();
      deadline.pause();
    }
  }

  private static void awaitLog(JvmProcess process, long mark, String line) {
    Deadline deadline = new Deadline(Duration.ofSeconds(30), () -> process + " did not log '" + line + "'; last lines:\n"
        + process.tail(20));
    while (!process.logSince(mark).contains(line)) {
      deadline.check(process);
      deadline.pause();
    }
  }
}

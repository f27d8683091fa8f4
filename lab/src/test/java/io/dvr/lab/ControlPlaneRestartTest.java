package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.FactsStore;
import io.dvr.agent.HostAgentService;
import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.render.Names;
import io.dvr.common.VertxBootstrap;
import io.dvr.common.config.Settings;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.TestSecurity;
import io.dvr.store.Database;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole control plane restarted on its database after being stopped longer than the agent
 * down time, while the hosts keep their kernels: whichever comes first, the scheduler's first full
 * reschedule or the agents' first heartbeats, no binding changes and no host is touched. A host
 * that stays away is presumed alive for the agent down time after the restart, and no longer.
 */
@DisplayName("A control-plane restart on the same database presumes agents alive for the down time: no binding changes, no host is touched")
class ControlPlaneRestartTest {
  @TempDir Path dataDir;
  private Settings settings;
  /** The hosts as they were before the restart: their kernels and facts files outlive the control plane. */
  private final Map<String, MemoryHost> kernels = new TreeMap<>();
  private final Map<String, FactsStore> facts = new TreeMap<>();
  private final Map<String, String> listings = new TreeMap<>();
  private List<String> bindings;

  @BeforeEach
  void seededLabStopped() {
    settings = LabFixture.settings(dataDir.resolve("pg"), Map.of());
    try (LabFixture fx = LabFixture.start(dataDir.resolve("pg"), Map.of())) {
      ApiClient.await(SeedLoader.open(fx.vertx, fx.lab.apiPort(), TestSecurity.user(), fx.lab.adminTokenFile()).compose(SeedLoader::load));
      // The seed's whole effect: the SNAT on network and the fg- port (made after the floating IP) on compute1.
      Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(fx.host("network").ipNetns()).contains(Names.snatNamespace(SeedLoader.ROUTER_ID));
        assertThat(fx.host("compute1").ipNetns()).contains(Names.fipNamespace(SeedLoader.EXT_NET_ID));
      });
      fx.awaitConverged();
      bindings = bindings(fx.lab.database());
      for (String[] host : AllInOne.HOSTS) {
        kernels.put(host[0], fx.host(host[0]));
        facts.put(host[0], fx.lab.facts(host[0]));
        listings.put(host[0], listing(fx.host(host[0])));
      }
    }
    assertThat(bindings).contains("snat " + SeedLoader.ROUTER_ID + " network", "host " + SeedLoader.ROUTER_ID + " network",
        "host " + SeedLoader.ROUTER_ID + " compute1", "host " + SeedLoader.ROUTER_ID + " compute2");
  }

  @Test
  @DisplayName("the scheduler's first full reschedule runs before the agents' first heartbeats")
  void schedulerFirst() {
    Vertx vertx = ApiClient.await(VertxBootstrap.start(settings));
    AllInOne lab = ApiClient.await(AllInOne.startControlPlane(vertx, settings, false));
    try (LabFixture fx = LabFixture.of(vertx, lab)) {
      stoppedAnHourAgo(lab.database());
      ApiClient.await(lab.startScheduler());
      awaitFirstFullReschedule(lab);
      assertThat(freshHeartbeats(lab.database())).as("no agent has reported yet").isZero();
      assertThat(bindings(lab.database())).isEqualTo(bindings);

      startAgents(lab);
      assertHostsUntouched(fx);
    }
  }

  @Test
  @DisplayName("the agents' first heartbeats come before the scheduler starts")
  void agentsFirst() {
    Vertx vertx = ApiClient.await(VertxBootstrap.start(settings));
    AllInOne lab = ApiClient.await(AllInOne.startControlPlane(vertx, settings, false));
    try (LabFixture fx = LabFixture.of(vertx, lab)) {
      stoppedAnHourAgo(lab.database());
      startAgents(lab);
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> freshHeartbeats(lab.database()) == AllInOne.HOSTS.size());

      ApiClient.await(lab.startScheduler());
      awaitFirstFullReschedule(lab);
      assertThat(bindings(lab.database())).isEqualTo(bindings);
      assertHostsUntouched(fx);
    }
  }

  @Test
  @DisplayName("a host that does not come back loses its SNAT once the down time has passed since the restart, without waiting for the periodic resync")
  void hostThatStaysAway() {
    Settings shortDownTime = LabFixture.settings(dataDir.resolve("pg"),
        Map.of("agent.down-time-seconds", "3", "scheduler.resync-seconds", "3600"));
    Vertx vertx = ApiClient.await(VertxBootstrap.start(shortDownTime));
    AllInOne lab = ApiClient.await(AllInOne.startControlPlane(vertx, shortDownTime, false));
    try (LabFixture fx = LabFixture.of(vertx, lab)) {
      stoppedAnHourAgo(lab.database());
      ApiClient.await(lab.startScheduler());
      awaitFirstFullReschedule(lab);
      assertThat(bindings(lab.database())).as("presumed alive at first").isEqualTo(bindings);

      Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(bindings(lab.database()))
          .noneMatch(b -> b.startsWith("snat ")).doesNotContain("host " + SeedLoader.ROUTER_ID + " network"));
    }
  }

  /** The control plane was away for an hour: every stored heartbeat is older than the down time. */
  private static void stoppedAnHourAgo(Database db) {
    ApiClient.await(db.pool().query("UPDATE agents SET last_heartbeat = now() - interval '1 hour'").execute());
  }

  private static long freshHeartbeats(Database db) {
    return ApiClient.await(db.pool().query("SELECT count(*) FROM agents WHERE last_heartbeat > now() - interval '1 minute'")
        .execute()).iterator().next().getLong(0);
  }

  private static void awaitFirstFullReschedule(AllInOne lab) {
    long routers = ApiClient.await(lab.database().pool().query("SELECT count(*) FROM routers").execute())
        .iterator().next().getLong(0);
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> lab.scheduler().reschedulesDone() >= routers);
  }

  private void startAgents(AllInOne lab) {
    for (String[] host : AllInOne.HOSTS) {
      ApiClient.await(lab.addHost(host[0], host[1], 0, kernels.get(host[0]), facts.get(host[0])));
    }
  }

  /** Every agent synced onto its host without applying one operation; the hosts hold what they held. */
  private void assertHostsUntouched(LabFixture fx) {
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
        fx.lab.agents().values().stream().allMatch(HostAgentService::syncedOnce));
    fx.awaitConverged();
    assertThat(bindings(fx.lab.database())).isEqualTo(bindings);
    for (String[] host : AllInOne.HOSTS) {
      assertThat(fx.lab.agent(host[0]).operationsSinceStart()).as("operations applied on " + host[0]).isZero();
      assertThat(listing(fx.host(host[0]))).as("state of " + host[0]).isEqualTo(listings.get(host[0]));
    }
  }

  private static String listing(MemoryHost host) {
    return String.join("\n", host.sections().values());
  }

  /** Router to host and SNAT host bindings, one line each, sorted. */
  private static List<String> bindings(Database db) {
    return ApiClient.await(db.pool().query("SELECT 'host ' || router_id || ' ' || host FROM router_host_bindings"
            + " UNION ALL SELECT 'snat ' || router_id || ' ' || host FROM router_snat_bindings ORDER BY 1").execute())
        .stream().map((Row r) -> r.getString(0)).toList();
  }
}

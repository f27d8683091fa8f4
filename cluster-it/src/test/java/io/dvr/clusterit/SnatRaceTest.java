package io.dvr.clusterit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.gateway.ApiClient;
import io.dvr.proto.v1.ClearRouterGatewayRequest;
import io.dvr.proto.v1.ListRouterHostsRequest;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.UpdatePortRequest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Both scheduler instances receive every change event and reschedule the same routers at the same
 * time. Four routers get gateway set/clear/set, new interfaces and VMs in quick succession, one
 * client thread per router, with two dvr_snat hosts to choose from. The periodic full reschedule
 * is pushed out of the test's reach (an hour), so what is right at the end was made right by the
 * event-driven reschedules, serialised per router by an advisory lock in PostgreSQL.
 */
@ExtendWith(LogTailsOnFailure.class)
@DisplayName("Concurrent events for the same routers handled by two scheduler instances")
class SnatRaceTest {
  private static final int ROUTERS = 4;
  private static final Set<String> SNAT_HOSTS = Set.of("s1", "s2");
  /** In every committed snapshot the SNAT host carries its router (both are written in one transaction). */
  private static final String SNAT_HOST_NOT_BOUND = "SELECT count(*) FROM router_snat_bindings s WHERE NOT EXISTS"
      + " (SELECT 1 FROM router_host_bindings b WHERE b.router_id = s.router_id AND b.host = s.host)";
  private static final String SNAT_ON_DVR_HOST = "SELECT count(*) FROM router_snat_bindings s JOIN agents g"
      + " ON g.host = s.host AND g.agent_type = 'L3 agent' WHERE g.agent_mode <> 'dvr_snat'";
  static Cluster cluster;
  static ApiClient api;
  static Subnet ext;
  static List<String> routers = new ArrayList<>();

  @BeforeAll
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  static void start() {
    cluster = Cluster.start("snat-race", 1, Map.of("DVR_SCHEDULER_RESYNC_SECONDS", "3600"));
    api = cluster.api;
    cluster.startAgents("s", 5, 2, Duration.ofSeconds(60));
    ext = Topology.externalSubnet(api, "ext", "172.24.8");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  @DisplayName("SNAT bound exactly once per router; no host carries a router it should not, none misses one it should")
  void snatBoundOnce() throws Exception {
    List<Subnet> later = new ArrayList<>();
    List<Port> vms = new ArrayList<>();
    for (int k = 1; k <= ROUTERS; k++) {
      String router = Topology.router(api, "race" + k).getId();
      routers.add(router);
      Subnet first = Topology.subnet(api, "a" + k, "10.10." + k + ".0/24");
      Topology.attach(api, router, first);
      later.add(Topology.subnet(api, "b" + k, "10.20." + k + ".0/24"));
      vms.add(api.call(PortServiceGrpcClient.CreatePort, Topology.vm(first, "vm-a" + k, dvrHost(k))));
    }

    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    AtomicBoolean storming = new AtomicBoolean(true);
    Thread sampler = new Thread(() -> sample(storming, violations), "snapshot-sampler");
    sampler.start();
    ExecutorService clients = Executors.newFixedThreadPool(ROUTERS);
    List<Future<?>> storms = new ArrayList<>();
    for (int k = 1; k <= ROUTERS; k++) {
      int idx = k;
      storms.add(clients.submit(() -> storm(idx, routers.get(idx - 1), later.get(idx - 1), vms.get(idx - 1))));
    }
    for (Future<?> f : storms) {
      f.get(120, TimeUnit.SECONDS);
    }
    clients.shutdown();

    // Settled, with no resync to help: every event published, and every router (each ends with a
    // gateway) has its SNAT and no host it should not have. An empty outbox alone is not enough:
    // the last events may be published while their reschedules still run.
    Deadline deadline = new Deadline(Duration.ofSeconds(30), () -> "placement not settled: " + mismatches()
        + ", SNAT bindings " + cluster.postgres.one("SELECT count(*) FROM router_snat_bindings") + " of " + ROUTERS);
    while (!"0".equals(cluster.postgres.one("SELECT count(*) FROM outbox WHERE published_at IS NULL")) || !mismatches().isEmpty()
        || !String.valueOf(ROUTERS).equals(cluster.postgres.one("SELECT count(*) FROM router_snat_bindings"))) {
      deadline.check();
      deadline.pause();
    }
    storming.set(false);
    sampler.join();
    assertThat(violations).as("committed snapshots where a SNAT binding broke an invariant").isEmpty();

    for (String router : routers) {
      List<RouterHost> hosts = api.call(RouterServiceGrpcClient.ListRouterHosts,
          ListRouterHostsRequest.newBuilder().setRouterId(router).build()).getHostsList();
      assertThat(hosts.stream().filter(RouterHost::getSnat).map(RouterHost::getHost).toList())
          .as("SNAT hosts of router " + router).hasSize(1).allSatisfy(h -> assertThat(SNAT_HOSTS).contains(h));
    }
    assertThat(cluster.postgres.one("SELECT count(*) FROM router_snat_bindings")).isEqualTo(String.valueOf(ROUTERS));
    assertThat(mismatches()).as("router_host_bindings against VM ports and SNAT host").isEmpty();
    new RouterConvergence(api, Cluster.hosts("s", 5)).await(routers, Duration.ofSeconds(60));
    for (String scheduler : List.of("scheduler-1", "scheduler-2")) {
      System.out.printf("%s changed a placement %d times%n", scheduler,
          cluster.process(scheduler).log().lines().filter(l -> l.contains(": added on ")).count());
    }
  }

  private static String dvrHost(int k) {
    return "s" + (3 + k % 3);
  }

  /** One router's burst: each call waits for the previous one; the other routers' bursts run alongside. */
  private static void storm(int k, String router, Subnet second, Port vm) {
    GatewayCalls calls = new GatewayCalls(router);
    calls.setGateway();
    calls.clearGateway();
    calls.setGateway();
    Topology.attach(api, router, second);
    api.call(PortServiceGrpcClient.CreatePort, Topology.vm(second, "vm-b" + k, dvrHost(k + 1)));
    calls.clearGateway();
    api.call(PortServiceGrpcClient.UpdatePort, UpdatePortRequest.newBuilder().setId(vm.getId())
        .setBindingHost(dvrHost(k + 2)).build());
    calls.setGateway();
    calls.clearGateway();
    calls.setGateway();
  }

  private record GatewayCalls(String router) {
    void setGateway() {
      api.call(RouterServiceGrpcClient.SetRouterGateway, Topology.gateway(router, ext.getNetworkId()));
    }

    void clearGateway() {
      api.call(RouterServiceGrpcClient.ClearRouterGateway, ClearRouterGatewayRequest.newBuilder().setRouterId(router).build());
    }
  }

  /** Looks at committed state every 20 ms while the bursts run (each query sees one snapshot). */
  private static void sample(AtomicBoolean storming, ConcurrentLinkedQueue<String> violations) {
    try (Connection c = cluster.postgres.connect(); Statement s = c.createStatement()) {
      while (storming.get()) {
        long unbound = count(s, SNAT_HOST_NOT_BOUND);
        long onDvr = count(s, SNAT_ON_DVR_HOST);
        if (unbound > 0) {
          violations.add(unbound + " SNAT host(s) not carrying their router");
        }
        if (onDvr > 0) {
          violations.add(onDvr + " SNAT binding(s) on a dvr (not dvr_snat) host");
        }
        Thread.sleep(20);
      }
    } catch (SQLException | InterruptedException e) {
      violations.add("sampler stopped: " + e);
    }
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Per router, hosts bound that should not be and hosts that should be and are not. Should: a
   * host with a VM port on one of the router's subnets, or its SNAT host.
   */
  private static Map<String, String> mismatches() {
    Map<String, Set<String>> wanted = new TreeMap<>();
    Map<String, Set<String>> bound = new TreeMap<>();
    routers.forEach(r -> {
      wanted.put(r, new TreeSet<>());
      bound.put(r, new TreeSet<>());
    });
    cluster.postgres.rows("SELECT DISTINCT ri.router_id, p.binding_host FROM router_interfaces ri"
        + " JOIN ip_allocations a ON a.subnet_id = ri.subnet_id JOIN ports p ON p.id = a.port_id"
        + " WHERE p.device_owner LIKE 'compute:%' AND p.binding_host <> ''"
        + " UNION SELECT router_id, host FROM router_snat_bindings")
        .forEach(row -> wanted.computeIfAbsent(row.get(0), r -> new TreeSet<>()).add(row.get(1)));
    cluster.postgres.rows("SELECT router_id, host FROM router_host_bindings")
        .forEach(row -> bound.computeIfAbsent(row.get(0), r -> new TreeSet<>()).add(row.get(1)));
    Map<String, String> out = new TreeMap<>();
    wanted.forEach((router, hosts) -> {
      Set<String> extra = new TreeSet<>(bound.getOrDefault(router, Set.of()));
      extra.removeAll(hosts);
      Set<String> missing = new TreeSet<>(hosts);
      missing.removeAll(bound.getOrDefault(router, Set.of()));
      if (!extra.isEmpty() || !missing.isEmpty()) {
        out.put(router, "carried by " + extra + " without reason, missing on " + missing);
      }
    });
    return out;
  }
}

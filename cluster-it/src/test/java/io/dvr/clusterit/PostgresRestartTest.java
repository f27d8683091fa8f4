package io.dvr.clusterit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.gateway.ApiClient;
import io.dvr.proto.v1.ListDvrMacsRequest;
import io.dvr.proto.v1.ListHostsForRouterRequest;
import io.dvr.proto.v1.MacAllocatorServiceGrpcClient;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.SchedulerServiceGrpcClient;
import io.dvr.proto.v1.Subnet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PostgreSQL stops (pg_ctl stop -m fast: every connection cut) while a client keeps creating
 * ports, stays down at least 5 s, and starts again on the same data directory and port. The
 * services must find it again by themselves; nothing the API acknowledged may be missing.
 * The later tests look at each process on its own, so that one that does not reconnect is named.
 */
@ExtendWith(LogTailsOnFailure.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("PostgreSQL restarted under load")
class PostgresRestartTest {
  private static final String LISTENERS = "SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN dvr_outbox'";
  static Cluster cluster;
  static ApiClient api;
  static Router router;
  static final List<Subnet> subnets = new ArrayList<>();
  static final Map<String, String> acknowledged = new ConcurrentHashMap<>();
  static final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  static final Map<String, Long> marks = new ConcurrentHashMap<>();
  static String listenersBefore;
  /** The later tests judge the restart only if it happened. */
  static volatile boolean restarted;

  @BeforeAll
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  static void start() {
    cluster = Cluster.start("pg-restart", 1, Map.of());
    api = cluster.api;
    cluster.startAgents("p", 3, 1, Duration.ofSeconds(60));
    Subnet ext = Topology.externalSubnet(api, "ext", "172.24.9");
    router = Topology.router(api, "r1");
    for (int i = 1; i <= 2; i++) {
      subnets.add(Topology.subnet(api, "net" + i, "10.3" + i + ".0.0/24"));
      Topology.attach(api, router.getId(), subnets.get(i - 1));
    }
    api.call(RouterServiceGrpcClient.SetRouterGateway, Topology.gateway(router.getId(), ext.getNetworkId()));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  @DisplayName("ports keep being created across the restart; every acknowledged one is still there and every host converges")
  void restartUnderLoad() throws Exception {
    listenersBefore = cluster.postgres.one(LISTENERS);
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread writer = new Thread(() -> write(writing), "port-writer");
    writer.start();
    awaitUntil(() -> acknowledged.size() >= 10, Duration.ofSeconds(30), "10 ports before the restart");

    long pid = cluster.postgres.pid();
    long down = System.nanoTime();
    cluster.postgres.stop();
    // pg_ctl stop -w returns once the postmaster removed its pid file, which it does on its way
    // out: the process itself may still be there for a moment.
    awaitUntil(() -> JvmProcess.gone(pid), Duration.ofSeconds(10), "postmaster " + pid + " stopped");
    int failedBefore = failures.size();
    awaitUntil(() -> failures.size() > failedBefore && System.nanoTime() - down > 5_000_000_000L,
        Duration.ofSeconds(30), "a failed write while PostgreSQL is down");
    cluster.postgres.start();
    System.out.printf("PostgreSQL was down %d ms; %d writes failed meanwhile (e.g. %s)%n",
        (System.nanoTime() - down) / 1_000_000, failures.size() - failedBefore, failures.get(failedBefore));

    int atRestart = acknowledged.size();
    long up = System.nanoTime();
    awaitUntil(() -> acknowledged.size() >= atRestart + 10, Duration.ofSeconds(60),
        "api-gateway accepting writes again after PostgreSQL came back (last failure: " + last(failures) + ")");
    System.out.printf("writes succeed again %d ms after PostgreSQL started%n", (System.nanoTime() - up) / 1_000_000);
    writing.set(false);
    writer.join(60_000);
    cluster.processes().forEach(p -> marks.put(p.name, p.logMark()));
    restarted = true;

    Map<String, String> listed = Topology.ports(api, Topology.VM_OWNER).stream()
        .collect(Collectors.toMap(Port::getId, Port::getBindingHost));
    assertThat(listed).as("ports after the restart").containsAllEntriesOf(acknowledged);
    assertThat(cluster.postgres.one("SELECT count(*) FROM ports WHERE id IN ("
        + acknowledged.keySet().stream().map(id -> "'" + id + "'").collect(Collectors.joining(",")) + ")"))
        .isEqualTo(String.valueOf(acknowledged.size()));

    // A change after the restart must travel the whole way: outbox, scheduler, arp-svc, agents.
    api.call(PortServiceGrpcClient.CreatePort, Topology.vm(subnets.get(0), "after-restart", "p3"));
    new RouterConvergence(api, Cluster.hosts("p", 3)).await(List.of(router.getId()), Duration.ofSeconds(90));
  }

  @Test
  @Order(2)
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  @DisplayName("every service instance reaches PostgreSQL again on its own")
  void everyInstanceReconnects() {
    Assumptions.assumeTrue(restarted, "the restart did not complete");
    assertThat(cluster.rpc.serving(cluster.apiPort())).as("api-gateway health (SELECT 1 on its pool)").isTrue();
    for (String s : List.of("scheduler-1", "scheduler-2")) {
      awaitAnswer(s, () -> cluster.rpc.call(cluster.process(s).port, SchedulerServiceGrpcClient.ListHostsForRouter,
          ListHostsForRouterRequest.newBuilder().setRouterId(router.getId()).build(), 10_000));
    }
    for (String m : List.of("mac-allocator-1", "mac-allocator-2")) {
      awaitAnswer(m, () -> cluster.rpc.call(cluster.process(m).port, MacAllocatorServiceGrpcClient.ListDvrMacs,
          ListDvrMacsRequest.getDefaultInstance(), 10_000));
    }
    // arp-svc serves no query of its own: a database error shows as a failed ARP update in its log.
    for (String p : List.of("scheduler-1", "scheduler-2", "arp-1", "arp-2")) {
      List<String> failed = cluster.process(p).logSince(marks.get(p)).lines()
          .filter(l -> l.contains(" failed")).toList();
      assertThat(failed).as(p + ": work that failed after PostgreSQL was back").isEmpty();
    }
  }

  @Test
  @Order(3)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("api-gateway's outbox relay LISTENs again after the restart (NOTIFY wake-ups, not only its poll)")
  void relayListensAgain() {
    Assumptions.assumeTrue(restarted, "the restart did not complete");
    assertThat(listenersBefore).as("LISTEN connections before the restart").isEqualTo("1");
    Deadline deadline = new Deadline(Duration.ofSeconds(15), () -> "api-gateway's outbox relay has no LISTEN"
        + " dvr_outbox connection since PostgreSQL restarted: OutboxRelay re-LISTENs once, outbox.poll-ms after the"
        + " connection closed, and gives up when that attempt fails (PostgreSQL was still down). Committed changes"
        + " now wait for the poll (outbox.poll-ms, 1000 ms by default) instead of the NOTIFY at commit.");
    while (!"1".equals(cluster.postgres.one(LISTENERS))) {
      deadline.check();
      deadline.pause();
    }
  }

  /** Creates VM ports one after the other; records what was acknowledged and what failed. */
  private static void write(AtomicBoolean writing) {
    for (int i = 0; writing.get(); i++) {
      String host = i % 2 == 0 ? "p2" : "p3";
      try {
        Port port = api.call(PortServiceGrpcClient.CreatePort, Topology.vm(subnets.get(i % 2), "w" + i, host));
        acknowledged.put(port.getId(), host);
      } catch (RuntimeException e) {
        failures.add("w" + i + ": " + e.getMessage());
      }
    }
  }

  private static void awaitAnswer(String process, Supplier<?> call) {
    List<String> errors = new ArrayList<>();
    Deadline deadline = new Deadline(Duration.ofSeconds(30),
        () -> process + " does not answer from the database after the restart: " + last(errors));
    while (true) {
      try {
        call.get();
        return;
      } catch (RuntimeException e) {
        errors.add(e.getMessage());
      }
      deadline.check();
      deadline.pause();
    }
  }

  private static void awaitUntil(Supplier<Boolean> condition, Duration atMost, String what) {
    Deadline deadline = new Deadline(atMost, () -> what);
    while (!condition.get()) {
      deadline.check();
      deadline.pause();
    }
  }

  private static String last(List<String> list) {
    synchronized (list) {
      return list.isEmpty() ? "none" : list.get(list.size() - 1);
    }
  }
}

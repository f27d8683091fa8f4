package io.dvr.clusterit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.gateway.ApiClient;
import io.dvr.proto.v1.CreateFloatingIpRequest;
import io.dvr.proto.v1.DeleteFloatingIpRequest;
import io.dvr.proto.v1.DisassociateFloatingIpRequest;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.GetFloatingIpRequest;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.UpdatePortRequest;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Losing one instance of each scaled service (SIGKILL, no goodbye) in the middle of a stream of
 * API changes: the other instances carry on. Hosts h1 (dvr_snat) and h2-h4 run from the start;
 * l1 and l2 boot after mac-allocator-1 is gone, so their DVR MACs come from mac-allocator-2.
 */
@ExtendWith(LogTailsOnFailure.class)
@DisplayName("Kill -9 of one instance of each scaled service during a stream of API changes")
class KillInstancesTest {
  private static final int OPS = 80;
  /** Which instance dies before which operation. */
  private static final Map<Integer, String> KILLS = Map.of(20, "scheduler-1", 35, "mac-allocator-1", 50, "arp-1");
  static Cluster cluster;
  static ApiClient api;
  static Subnet ext;
  static List<Subnet> subnets = new ArrayList<>();
  static Router router;

  @BeforeAll
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  static void start() {
    cluster = Cluster.start("kill9", 2, Map.of());
    api = cluster.api;
    cluster.startAgents("h", 4, 1, Duration.ofSeconds(60));
    ext = Topology.externalSubnet(api, "ext", "172.24.4");
    router = Topology.router(api, "r1");
    for (int i = 1; i <= 3; i++) {
      subnets.add(Topology.subnet(api, "net" + i, "10." + i + ".0.0/24"));
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
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  @DisplayName("the stream goes on without errors, every host converges and no created port is lost")
  void killOneOfEach() {
    Map<String, Port> ports = new LinkedHashMap<>();
    Map<String, String> hostOf = new LinkedHashMap<>();
    Map<Integer, FloatingIp> fips = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    CompletableFuture<JvmProcess> lateAgents = null;
    for (int i = 0; i < OPS; i++) {
      String victim = KILLS.get(i);
      if (victim != null) {
        JvmProcess p = cluster.process(victim);
        p.kill9();
        System.out.printf("%s op %d: killed %s; the OS reports pid %d gone%n",
            LocalTime.now().truncatedTo(ChronoUnit.MILLIS), i, p, p.pid());
        if (victim.startsWith("mac-allocator")) {
          // Two hosts boot now: only the surviving allocator can give them their MACs.
          lateAgents = CompletableFuture.supplyAsync(() -> cluster.startAgents("l", 2, 0, Duration.ofSeconds(90)));
        }
      }
      try {
        operation(i, ports, hostOf, fips);
      } catch (RuntimeException e) {
        errors.add("op " + i + ": " + e.getMessage());
      }
    }
    assertThat(errors).as("client-visible errors during the stream").isEmpty();
    lateAgents.join();
    for (String victim : KILLS.values()) {
      assertThat(JvmProcess.gone(cluster.process(victim).pid())).as(victim + " is dead").isTrue();
    }

    List<String> hosts = Stream.concat(Cluster.hosts("h", 4).stream(), Cluster.hosts("l", 2).stream()).toList();
    long converging = System.nanoTime();
    new RouterConvergence(api, hosts).await(List.of(router.getId()), Duration.ofSeconds(90));
    System.out.printf("every host converged %d ms after the stream ended%n", (System.nanoTime() - converging) / 1_000_000);

    // Only the survivors were there for l1 and l2 (booted, and given VMs, after the kills).
    assertThat(cluster.process("mac-allocator-2").log()).contains("host l1 gets DVR MAC", "host l2 gets DVR MAC");
    assertThat(cluster.process("scheduler-2").log().lines().filter(l -> l.contains(": added on ["))
        .map(l -> l.substring(l.indexOf(": added on [") + 12, l.indexOf("]", l.indexOf(": added on ["))))
        .flatMap(added -> Stream.of(added.split(", "))).collect(Collectors.toSet()))
        .as("hosts scheduler-2 added the router on").contains("l1", "l2");

    // Nothing lost: every created port is there, on the host it was last put on; FIPs as last set.
    Map<String, String> listed = Topology.ports(api, Topology.VM_OWNER).stream()
        .collect(Collectors.toMap(Port::getId, Port::getBindingHost));
    assertThat(listed).containsExactlyInAnyOrderEntriesOf(hostOf);
    fips.forEach((op, fip) -> {
      boolean deleted = fip.getId().isEmpty();
      if (!deleted) {
        FloatingIp now = api.call(FloatingIpServiceGrpcClient.GetFloatingIp,
            GetFloatingIpRequest.newBuilder().setId(fip.getId()).build());
        assertThat(now.getPortId()).as("port of the FIP made at op " + op).isEqualTo(fip.getPortId());
      }
    });
    // A killed writer's rows leave through a surviving relay once the writer's grace has passed.
    Deadline published = new Deadline(Duration.ofSeconds(30), () -> "events still unpublished: "
        + cluster.postgres.one("SELECT count(*) FROM outbox WHERE published_at IS NULL"));
    while (!cluster.postgres.one("SELECT count(*) FROM outbox WHERE published_at IS NULL").equals("0")) {
      published.check();
      published.pause();
    }

    // Hazelcast drops the dead members: 7 services + 2 agent JVMs - 3 killed.
    long t = System.nanoTime();
    cluster.awaitMembers(6);
    System.out.printf("api-gateway's member list shows 6 members (%d ms after convergence)%n",
        (System.nanoTime() - t) / 1_000_000);
  }

  /**
   * Operation i: mostly a new VM on subnet i%3 and a compute host; every 7th moves an earlier VM;
   * every 10th adds a FIP to a VM, and 5 operations later that FIP is disassociated or deleted.
   */
  private static void operation(int i, Map<String, Port> ports, Map<String, String> hostOf,
      Map<Integer, FloatingIp> fips) {
    List<String> compute = i < 40 ? List.of("h2", "h3", "h4") : List.of("h2", "h3", "h4", "l1", "l2");
    List<String> ids = new ArrayList<>(ports.keySet());
    if (i % 7 == 6 && ids.size() > 5) {
      String id = ids.get(i % ids.size());
      String host = compute.get((i / 7) % compute.size());
      api.call(PortServiceGrpcClient.UpdatePort, UpdatePortRequest.newBuilder().setId(id).setBindingHost(host).build());
      hostOf.put(id, host);
    } else if (i % 10 == 9) {
      String id = ids.get(ids.size() - 1);
      fips.put(i, api.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
          .setFloatingNetworkId(ext.getNetworkId()).setPortId(id).build()));
    } else if (i % 10 == 4 && fips.containsKey(i - 5)) {
      FloatingIp fip = fips.get(i - 5);
      if ((i / 10) % 2 == 0) {
        fips.put(i - 5, api.call(FloatingIpServiceGrpcClient.DisassociateFloatingIp,
            DisassociateFloatingIpRequest.newBuilder().setId(fip.getId()).build()));
      } else {
        api.call(FloatingIpServiceGrpcClient.DeleteFloatingIp, DeleteFloatingIpRequest.newBuilder().setId(fip.getId()).build());
        fips.put(i - 5, FloatingIp.getDefaultInstance());
      }
    } else {
      String host = compute.get(i % compute.size());
      Port port = api.call(PortServiceGrpcClient.CreatePort, Topology.vm(subnets.get(i % 3), "vm" + i, host));
      ports.put(port.getId(), port);
      hostOf.put(port.getId(), host);
    }
  }
}

package io.dvr.clusterit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.render.Names;
import io.dvr.gateway.ApiClient;
import io.dvr.proto.v1.CreateFloatingIpRequest;
import io.dvr.proto.v1.DeleteFloatingIpRequest;
import io.dvr.proto.v1.DeletePortRequest;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.GetRouterRequest;
import io.dvr.proto.v1.ListFloatingIpsRequest;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterInterface;
import io.dvr.proto.v1.RouterInterfaceRequest;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.UpdatePortRequest;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ports, floating IPs and router interfaces created, moved and deleted while, round after round,
 * one process of the control plane is killed with SIGKILL and started again: api-gateway, an
 * instance of scheduler-svc, arp-svc or mac-allocator-svc, the agents JVM, or PostgreSQL (each kind
 * once before any again). The order and instance of the victims come from a seeded random (the seed is printed; chaos.seed or
 * DVR_CHAOS_SEED replays a run, "random" draws a new one). The seed is 13 unless set, so that a
 * CI run meets the same victims and changes every time (timing still varies). The run lasts
 * chaos.seconds (DVR_CHAOS_SECONDS), 60 by default.
 *
 * <p>After each round's quiet: every host's state is what RouterConvergence derives from the
 * database through the API (namespaces, SNAT, every VM's ARP entry) and holds no ARP entry of a
 * port that is gone; every acknowledged change is there, every acknowledged delete is gone; no IP
 * or MAC is held twice.
 */
@ExtendWith(LogTailsOnFailure.class)
@DisplayName("Chaos: API changes while one process after another is killed -9 and restarted")
class ChaosTest {
  private static final Duration RUN = Duration.ofSeconds(Long.parseLong(setting("chaos.seconds", "60")));
  private static final long SEED = seed(setting("chaos.seed", "13"));
  private static final List<String> HOSTS = Cluster.hosts("c", 4);
  private static final List<String> COMPUTE = HOSTS.subList(1, 4);
  private static final List<String> VICTIMS = List.of("api-gateway", "scheduler-", "arp-", "mac-allocator-",
      "agents-c", "postgres");
  private static final int OPS_PER_PHASE = 6;
  private static final Duration QUIET = Duration.ofSeconds(90);
  static Cluster cluster;
  static ApiClient api;
  static Subnet ext;
  static final List<Subnet> subnets = new ArrayList<>();
  /** Attached to the router and removed again during the run; it holds no port. */
  static Subnet toggled;
  static Router router;

  @BeforeAll
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  static void start() {
    cluster = Cluster.start("chaos", 1, Map.of());
    api = cluster.api;
    cluster.startAgents("c", HOSTS.size(), 1, Duration.ofSeconds(60));
    ext = Topology.externalSubnet(api, "ext", "172.24.7");
    router = Topology.router(api, "r1");
    for (int i = 1; i <= 3; i++) {
      subnets.add(Topology.subnet(api, "net" + i, "10.7" + i + ".0.0/24"));
      Topology.attach(api, router.getId(), subnets.get(i - 1));
    }
    toggled = Topology.subnet(api, "net4", "10.74.0.0/24");
    api.call(RouterServiceGrpcClient.SetRouterGateway, Topology.gateway(router.getId(), ext.getNetworkId()));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  // Every wait of a round has its own limit; this only bounds a long run asked for on demand.
  @Timeout(value = 3600, unit = TimeUnit.SECONDS)
  @DisplayName("after each fault's quiet, hosts match the database, acknowledged changes hold, no address is given twice")
  void chaos() {
    System.out.printf("chaos seed %d (replay with -Dchaos.seed=%d), run %d s%n", SEED, SEED, RUN.toSeconds());
    Random random = new Random(SEED);
    Acknowledged acked = new Acknowledged();
    List<String> faults = new ArrayList<>();
    long longestConverge = 0;
    List<String> order = new ArrayList<>();
    long end = System.nanoTime() + RUN.toNanos();
    while (System.nanoTime() < end) {
      String victim = victim(random, order);
      operations(random, acked);
      long killed = System.nanoTime();
      kill(victim);
      operations(random, acked);
      restart(victim);
      long restarted = System.nanoTime();
      operations(random, acked);
      List<String> first = awaitQuiet();
      long converged = System.nanoTime();
      check(acked);
      longestConverge = Math.max(longestConverge, (converged - restarted) / 1_000_000);
      faults.add(victim);
      System.out.printf("%s fault %d: %s killed, back after %d ms, every host converged %d ms after its restart;"
              + " %d operations acknowledged, %d failed so far%n", LocalTime.now().truncatedTo(ChronoUnit.MILLIS),
          faults.size(), victim, (restarted - killed) / 1_000_000, (converged - restarted) / 1_000_000,
          acked.operations, acked.failures);
      if (!first.isEmpty()) {
        System.out.println("  not yet converged when the quiet began:\n    " + String.join("\n    ", first));
      }
    }
    System.out.printf("chaos seed %d: %d operations acknowledged, %d failed, %d faults injected %s,"
            + " longest time to converge after a restart %d ms%n",
        SEED, acked.operations, acked.failures, faults.size(), faults, longestConverge);
    assertThat(faults).as("faults injected").isNotEmpty();
    assertThat(acked.operations).as("operations acknowledged").isPositive();
  }

  /** The next victim: every kind once, in a seeded random order, before any kind again. */
  private static String victim(Random random, List<String> order) {
    if (order.isEmpty()) {
      order.addAll(VICTIMS);
      Collections.shuffle(order, random);
    }
    String kind = order.remove(0);
    return kind.endsWith("-") ? kind + (1 + random.nextInt(2)) : kind;
  }

  private static void kill(String victim) {
    if (victim.equals("postgres")) {
      cluster.postgres.kill9();
    } else {
      cluster.process(victim).kill9();
    }
  }

  private static void restart(String victim) {
    if (victim.equals("postgres")) {
      cluster.postgres.start();
      // Back means api-gateway can write again: its health is SERVING only while its database answers.
      cluster.awaitServing(List.of(cluster.process("api-gateway")));
    } else {
      cluster.restart(victim, Duration.ofSeconds(90));
    }
  }

  /** A few random changes; a failed call leaves its object unknown (its outcome may be lost). */
  private static void operations(Random random, Acknowledged acked) {
    for (int i = 0; i < OPS_PER_PHASE; i++) {
      int kind = random.nextInt(100);
      List<String> ports = new ArrayList<>(acked.ports.keySet());
      List<String> fips = new ArrayList<>(acked.fips.keySet());
      String host = COMPUTE.get(random.nextInt(COMPUTE.size()));
      if (kind < 35 || ports.isEmpty()) {
        Subnet subnet = subnets.get(random.nextInt(subnets.size()));
        try {
          Port port = api.call(PortServiceGrpcClient.CreatePort, Topology.vm(subnet, "vm" + acked.operations, host));
          acked.portMoved(port.getId(), host);
        } catch (RuntimeException e) {
          acked.failures++;
        }
      } else if (kind < 55) {
        String id = ports.get(random.nextInt(ports.size()));
        try {
          api.call(PortServiceGrpcClient.UpdatePort, UpdatePortRequest.newBuilder().setId(id).setBindingHost(host).build());
          acked.portMoved(id, host);
        } catch (RuntimeException e) {
          acked.portUnknown(id);
        }
      } else if (kind < 65) {
        String id = ports.get(random.nextInt(ports.size()));
        try {
          api.call(PortServiceGrpcClient.DeletePort, DeletePortRequest.newBuilder().setId(id).build());
          acked.portDeleted(id);
        } catch (RuntimeException e) {
          acked.portUnknown(id);
        }
      } else if (kind < 80) {
        // A port has one fixed IP, so one floating IP at most: pick one without.
        List<String> bare = ports.stream().filter(p -> !acked.fips.containsValue(p)).toList();
        if (bare.isEmpty()) {
          continue;
        }
        String id = bare.get(random.nextInt(bare.size()));
        try {
          FloatingIp fip = api.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
              .setFloatingNetworkId(ext.getNetworkId()).setPortId(id).build());
          acked.fipSet(fip.getId(), id);
        } catch (RuntimeException e) {
          // The floating IP may exist, its id unknown; the port itself is not touched.
          acked.failures++;
        }
      } else if (kind < 90 && !fips.isEmpty()) {
        String id = fips.get(random.nextInt(fips.size()));
        try {
          api.call(FloatingIpServiceGrpcClient.DeleteFloatingIp, DeleteFloatingIpRequest.newBuilder().setId(id).build());
          acked.fipDeleted(id);
        } catch (RuntimeException e) {
          acked.fipUnknown(id);
        }
      } else {
        toggleInterface(acked);
      }
    }
  }

  private static void toggleInterface(Acknowledged acked) {
    boolean attach = !Boolean.TRUE.equals(acked.toggledAttached);
    RouterInterfaceRequest request = RouterInterfaceRequest.newBuilder().setRouterId(router.getId())
        .setSubnetId(toggled.getId()).build();
    try {
      api.call(attach ? RouterServiceGrpcClient.AddRouterInterface : RouterServiceGrpcClient.RemoveRouterInterface,
          request);
      acked.toggledAttached = attach;
      acked.operations++;
    } catch (RuntimeException e) {
      acked.toggledAttached = null;
      acked.failures++;
    }
  }

  /**
   * Waits, with a time limit, until every host holds what RouterConvergence derives from the
   * database through the API and no ARP entry of a port that no longer exists. Returns what did
   * not match yet at the first look (for the log: what a fault delays).
   */
  private static List<String> awaitQuiet() {
    RouterConvergence convergence = new RouterConvergence(api, HOSTS);
    List<String> first = null;
    List<String> last = new ArrayList<>();
    Deadline deadline = new Deadline(QUIET, () -> "no quiet after the fault:\n  " + String.join("\n  ", last));
    while (true) {
      last.clear();
      last.addAll(convergence.problems(router.getId()));
      last.addAll(staleArpEntries());
      if (first == null) {
        first = List.copyOf(last);
      }
      if (last.isEmpty()) {
        return first;
      }
      deadline.check();
      deadline.pause();
    }
  }

  /** ARP entries in the router's namespace on any host that match no existing port's IP and MAC. */
  private static List<String> staleArpEntries() {
    Set<String> live = new HashSet<>();
    for (Port p : allPorts()) {
      p.getFixedIpsList().forEach(ip -> live.add(ip.getIpAddress() + " " + p.getMacAddress()));
    }
    String qrouter = Names.qrouterNamespace(router.getId());
    List<String> stale = new ArrayList<>();
    for (String host : HOSTS) {
      String neigh = Topology.hostState(api, host).getOrDefault(qrouter + ": ip neigh", "");
      for (String line : neigh.lines().filter(l -> l.contains(" lladdr ")).toList()) {
        String[] f = line.trim().split("\\s+");
        int mac = List.of(f).indexOf("lladdr") + 1;
        if (!live.contains(f[0] + " " + f[mac])) {
          stale.add(host + " keeps the ARP entry of no existing port: " + line.trim());
        }
      }
    }
    return stale;
  }

  /** Acknowledged changes hold; no address twice; no host keeps the ARP entry of a port that is gone. */
  private static void check(Acknowledged acked) {
    List<Port> vms = Topology.ports(api, Topology.VM_OWNER);
    Map<String, String> listed = vms.stream().collect(Collectors.toMap(Port::getId, Port::getBindingHost));
    assertThat(listed).as("acknowledged VM ports on their hosts").containsAllEntriesOf(acked.ports);
    assertThat(acked.deletedPorts).as("acknowledged deletes of ports still listed").noneMatch(listed::containsKey);

    Map<String, String> fipPort = new HashMap<>();
    List<FloatingIp> allFips = api.call(FloatingIpServiceGrpcClient.ListFloatingIps,
        ListFloatingIpsRequest.newBuilder().setPageSize(1000).build()).getFloatingIpsList();
    allFips.forEach(f -> fipPort.put(f.getId(), f.getPortId()));
    acked.fips.forEach((id, port) -> {
      assertThat(fipPort).as("acknowledged floating IP " + id).containsKey(id);
      if (!port.equals("?")) {
        assertThat(fipPort.get(id)).as("port of floating IP " + id).isEqualTo(port);
      }
    });
    assertThat(acked.deletedFips).as("acknowledged deletes of floating IPs still listed").noneMatch(fipPort::containsKey);
    if (acked.toggledAttached != null) {
      Router now = api.call(RouterServiceGrpcClient.GetRouter, GetRouterRequest.newBuilder().setId(router.getId()).build());
      assertThat(now.getInterfacesList().stream().map(RouterInterface::getSubnetId).toList().contains(toggled.getId()))
          .as("net4 on the router").isEqualTo(acked.toggledAttached);
    }

    // No IP or MAC twice: ports of every owner, floating IPs, the hosts' DVR MACs.
    List<String> macs = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    for (Port p : allPorts()) {
      macs.add(p.getMacAddress());
      p.getFixedIpsList().forEach(ip -> ips.add(ip.getSubnetId() + " " + ip.getIpAddress()));
    }
    cluster.postgres.rows("SELECT mac_address::text FROM dvr_host_macs").forEach(r -> macs.add(r.get(0)));
    allFips.forEach(f -> ips.add("floating " + f.getFloatingIpAddress()));
    assertThat(macs).as("MACs of ports and hosts").doesNotHaveDuplicates();
    assertThat(ips).as("fixed and floating IPs").doesNotHaveDuplicates();

  }

  /** Every port, whatever its owner (all pages). */
  private static List<Port> allPorts() {
    return Topology.ports(api, "");
  }

  private static long seed(String text) {
    return text.equals("random") ? System.nanoTime() : Long.parseLong(text);
  }

  private static String setting(String property, String otherwise) {
    String env = System.getenv("DVR_" + property.toUpperCase().replace('.', '_'));
    return System.getProperty(property, env != null ? env : otherwise);
  }
}

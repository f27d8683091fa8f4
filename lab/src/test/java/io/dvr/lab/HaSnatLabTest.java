package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.HostAgentService;
import io.dvr.agent.render.Names;
import io.dvr.arp.ArpService;
import io.dvr.common.VertxBootstrap;
import io.dvr.common.config.Settings;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.ApiGateway;
import io.dvr.gateway.SeedTopology;
import io.dvr.gateway.TestSecurity;
import io.dvr.macalloc.MacAllocatorService;
import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterInterfaceRequest;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import io.dvr.proto.v1.UpdateAgentRequest;
import io.dvr.scheduler.SchedulerService;
import io.dvr.store.Database;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 15's acceptance with real packets on labnet: an HA router whose SNAT runs on the two
 * network nodes (network, network2), one active and one standby, and a VM without floating IP on
 * compute1 pinging the outside host every 50 ms while the active host is drained, cut off the
 * control plane, and crashed. The control plane and the three agents run in this process on the
 * linux dataplane, each agent programming its own labnet host.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("HA SNAT on labnet: a standby stays silent, a drain loses nothing, a host cut off gives up its addresses before the standby takes them, a crash fails over within the lease")
class HaSnatLabTest {
  static final String LAB_DIR = "/run/labnet-ha";
  static final String OUTSIDE = "192.168.1.20";
  static final String GATEWAY_IP = "192.168.1.115";
  static final String VM_IP = "10.20.0.10";
  static final List<String> NETWORK_NODES = List.of("network", "network2");
  static final Map<String, String> UNDERLAY = Map.of("network", "172.31.0.11", "network2", "172.31.0.10",
      "compute1", "172.31.0.12");
  static final Map<String, String> MODES = Map.of("network", "dvr_snat", "network2", "dvr_snat", "compute1", "dvr");
  /** The mechanism's settings (agent and scheduler), as run here: they bound the failover. */
  static final long RENEW_MS = 200;
  static final long HOLD_MS = 600;
  static final long GRACE_MS = 200;
  static final long CHECK_MS = 100;
  static final double PING_INTERVAL_S = 0.05;
  /** A steady ping: 15 s at 50 ms. */
  static final int PINGS = 300;
  static final Duration CONVERGE = Duration.ofSeconds(45);
  static final Duration CMD = Duration.ofSeconds(20);

  LabShell shell;
  boolean labUp;
  Path tmp;
  Vertx vertx;
  Database db;
  ApiGateway gateway;
  ApiClient api;
  Settings base;
  final Map<String, HostAgentService> agents = new TreeMap<>();
  final Map<String, BusCut> cuts = new TreeMap<>();
  Router router;
  Port vm;
  String snatNs;
  String qg;

  @BeforeAll
  void up() throws Exception {
    List<String> missing = new ArrayList<>();
    if (!LinuxLabEndToEndTest.isRoot()) {
      missing.add("root");
    }
    for (String tool : List.of("ovs-vswitchd", "ovsdb-server", "ovs-vsctl", "ovs-ofctl", "ip", "iptables",
        "iptables-restore", "iptables-save", "nsenter", "unshare", "ethtool", "ping", "arping")) {
      if (!LabShell.onPath(tool)) {
        missing.add(tool);
      }
    }
    Path scripts = LabShell.findScripts();
    if (scripts == null) {
      missing.add("the labnet scripts (labnet/up.sh above " + Path.of("").toAbsolutePath() + ")");
    }
    Assumptions.assumeTrue(missing.isEmpty(), "the Linux lab cannot run here; missing: " + String.join(", ", missing));
    shell = new LabShell(scripts, LAB_DIR);
    LabShell.Result up = shell.run(Duration.ofSeconds(90), shell.script("up.sh"));
    labUp = up.ok();
    Assumptions.assumeTrue(up.exit() != 2, "labnet/up.sh says the lab cannot run here: " + up.err());
    assertThat(up.ok()).as("labnet/up.sh: %s", up).isTrue();

    TestSecurity.agent("network2"); // the second network node's certificate and bus credential
    tmp = Files.createTempDirectory("ha-snat-lab");
    Map<String, String> s = new HashMap<>(Map.of("db.data-dir", tmp.resolve("pg").toString(), "api.port", "0",
        "rest.port", "0", "scheduler.port", "0", "mac-allocator.port", "0", "arp.port", "0", "outbox.poll-ms", "200",
        "security.dir", TestSecurity.dir().toString()));
    s.putAll(leaseSettings());
    base = Settings.of(s);
    vertx = ApiClient.await(VertxBootstrap.start(base));
    db = ApiClient.await(Database.open(vertx, base));
    gateway = ApiClient.await(ApiGateway.start(vertx, base, db));
    ApiClient.await(SchedulerService.start(vertx, base, db)
        .compose(v -> MacAllocatorService.start(vertx, base, db))
        .compose(v -> ArpService.start(vertx, base, db)));
    api = new ApiClient(vertx, gateway.port(), ApiClient.tokenIn(gateway.adminTokenFile().orElseThrow()));
    for (String host : MODES.keySet()) {
      BusCut cut = new BusCut(host);
      vertx.eventBus().addOutboundInterceptor(cut);
      cuts.put(host, cut);
      agents.put(host, ApiClient.await(HostAgentService.start(vertx, agentSettings(host))));
    }
    buildTopology();
  }

  /** The scheduler's lease settings and the agents' renew interval. */
  static Map<String, String> leaseSettings() {
    return Map.of("agent.snat-lease-renew-ms", String.valueOf(RENEW_MS), "snat.lease-hold-ms", String.valueOf(HOLD_MS),
        "snat.lease-grace-ms", String.valueOf(GRACE_MS), "snat.lease-check-ms", String.valueOf(CHECK_MS));
  }

  Settings agentSettings(String host) {
    return base.with(Map.ofEntries(Map.entry("host.name", host), Map.entry("agent.mode", MODES.get(host)),
        Map.entry("host-agent.port", "0"), Map.entry("api.address", "127.0.0.1:" + gateway.port()),
        Map.entry("agent.dataplane", "linux"), Map.entry("linux.lab-dir", LAB_DIR), Map.entry("linux.lab-host", host),
        Map.entry("linux.state-dir", tmp.resolve("state-" + host).toString()),
        Map.entry("agent.tunnel-ip", UNDERLAY.get(host)), Map.entry("agent.report-interval-seconds", "2")));
  }

  /** An external network, one tenant subnet, an HA router with its gateway, and a VM on compute1 without floating IP. */
  void buildTopology() {
    Network ext = api.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder()
        .setName("ext-net").setRouterExternal(true).build());
    api.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder().setNetworkId(ext.getId())
        .setName("ext-subnet").setCidr("192.168.1.0/24").setGatewayIp("192.168.1.1")
        .addAllocationPools(io.dvr.proto.v1.AllocationPool.newBuilder().setStart("192.168.1.100").setEnd("192.168.1.200"))
        .build());
    Network net = SeedTopology.network(api, "ha-net");
    Subnet subnet = SeedTopology.subnet(api, net, "ha-subnet", "10.20.0.0/24");
    router = api.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("ha-r1")
        .setDistributed(true).setHa(true).setGatewayNetworkId(ext.getId()).setGatewayIpAddress(GATEWAY_IP).build());
    assertThat(router.getHa()).isTrue();
    api.call(RouterServiceGrpcClient.AddRouterInterface, RouterInterfaceRequest.newBuilder()
        .setRouterId(router.getId()).setSubnetId(subnet.getId()).build());
    vm = api.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(net.getId())
        .setName("vm1").setDeviceOwner("compute:nova").setBindingHost("compute1")
        .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(subnet.getId()).setIpAddress(VM_IP)).build());
    snatNs = Names.snatNamespace(router.getId());
    qg = Names.qgDevice(router.getExternalGatewayInfo().getPortId());
    String qrouter = Names.qrouterNamespace(router.getId());
    Awaitility.await("qrouter namespace on compute1").atMost(CONVERGE).pollInterval(Duration.ofMillis(300))
        .until(() -> shell.run(CMD, shell.onHost("compute1", "ip", "netns", "list")).out().contains(qrouter));
    LabShell.Result r = shell.run(CMD, shell.script("vm.sh"), "compute1", "vm1", vm.getMacAddress(), VM_IP + "/24",
        subnet.getGatewayIp(), "-", vm.getId());
    assertThat(r.ok()).as("vm.sh: %s", r).isTrue();
  }

  @AfterAll
  void down() {
    try {
      for (HostAgentService agent : agents.values()) {
        try {
          ApiClient.await(agent.stop());
        } catch (RuntimeException e) {
          // keep tearing down
        }
      }
      if (gateway != null) {
        ApiClient.await(gateway.stop());
      }
    } catch (RuntimeException e) {
      // keep tearing down
    } finally {
      if (db != null) {
        db.close();
      }
      if (vertx != null) {
        ApiClient.await(vertx.close());
      }
      LinuxLabEndToEndTest.deleteTree(tmp);
      if (labUp) {
        LabShell.Result down = shell.run(Duration.ofSeconds(60), shell.script("down.sh"));
        assertThat(down.ok()).as("labnet/down.sh: %s", down).isTrue();
      }
    }
  }

  // ---- what the kernels hold ----

  /** Whether the host's snat- namespace holds the router's gateway address (on its qg- device). */
  boolean holds(String host) {
    LabShell.Result r = shell.run(CMD, shell.onHost(host, "ip", "-n", snatNs, "-4", "-o", "addr", "show"));
    return r.ok() && r.out().contains(" " + GATEWAY_IP + "/");
  }

  /** Whether the host's snat- namespace is programmed as a standby: qg- and sg- plugged, NAT rules in, no address. */
  boolean standbyReady(String host) {
    LabShell.Result links = shell.run(CMD, shell.onHost(host, "ip", "-n", snatNs, "-o", "link", "show"));
    LabShell.Result nat = shell.run(CMD, shell.onHost(host, "ip", "netns", "exec", snatNs, "iptables-save", "-t", "nat"));
    return links.ok() && links.out().contains(": " + qg) && links.out().contains(": sg-") && !holds(host)
        && nat.out().contains("--to-source " + GATEWAY_IP);
  }

  record Roles(String active, String standby) {}

  /** Waits until one network node holds the addresses, the other is a ready standby, and the VM reaches the outside. */
  Roles awaitRoles() {
    AtomicBoolean reached = new AtomicBoolean();
    Roles[] roles = new Roles[1];
    Awaitility.await("one active SNAT host and one standby, and the VM reaching the outside").atMost(CONVERGE)
        .pollInterval(Duration.ofMillis(300)).until(() -> {
          for (String host : NETWORK_NODES) {
            String other = NETWORK_NODES.get(1 - NETWORK_NODES.indexOf(host));
            if (agents.containsKey(host) && agents.containsKey(other) && holds(host) && standbyReady(other)) {
              roles[0] = new Roles(host, other);
              reached.set(shell.run(CMD, shell.inVm("compute1", "vm1", "ping", "-n", "-c", "1", "-W", "1", OUTSIDE))
                  .ok());
              return reached.get();
            }
          }
          return false;
        });
    evidence("active %s, standby %s", roles[0].active(), roles[0].standby());
    return roles[0];
  }

  LabShell.Background steadyPing() {
    return shell.start(shell.inVm("compute1", "vm1", "ping", "-D", "-O", "-n", "-i", String.valueOf(PING_INTERVAL_S), "-c",
        String.valueOf(PINGS), "-W", "1", OUTSIDE));
  }

  void awaitReplies(LabShell.Background ping, int replies) {
    Awaitility.await("the steady ping answered " + replies + " times").atMost(CONVERGE)
        .pollInterval(Duration.ofMillis(50)).until(() -> PingLog.repliesIn(ping.out()) >= replies);
  }

  String agentId(String host) {
    return api.call(AgentServiceGrpcClient.ListAgents, ListAgentsRequest.newBuilder().setHost(host).build())
        .getAgentsList().stream().map(Agent::getId).findFirst().orElseThrow();
  }

  void adminState(String host, boolean up) {
    api.call(AgentServiceGrpcClient.UpdateAgent, UpdateAgentRequest.newBuilder().setId(agentId(host))
        .setAdminStateUp(up).build());
  }

  static void evidence(String format, Object... args) {
    System.out.printf("[ha-snat %tT.%<tL] %s%n", System.currentTimeMillis(), String.format(format, args));
  }

  // ---- the tests ----

  @Test
  @Order(1)
  @DisplayName("1. the standby's snat- is fully programmed but silent: devices and NAT rules, no address, no route, no ARP answer; one host answers for the gateway address")
  void standbyIsSilent() {
    Roles roles = awaitRoles();
    LabShell.Result routes = shell.run(CMD, shell.onHost(roles.standby(), "ip", "-n", snatNs, "-4", "route", "show",
        "table", "all"));
    assertThat(routes.out().lines().filter(l -> l.contains(" dev qg-") || l.contains(" dev sg-"))).as("standby routes")
        .isEmpty();
    // Three requests from the outside: as many replies as requests, so one host answers (the two share the qg- MAC,
    // a second one answering would double them). Asked again while none answers (the active applying a change).
    java.util.concurrent.atomic.AtomicReference<String> arp = new java.util.concurrent.atomic.AtomicReference<>("");
    Awaitility.await("the gateway address answers ARP from outside").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
        .until(() -> {
          arp.set(shell.run(CMD, LabShell.inNetns("lab-outside", "arping", "-c", "3", "-w", "4", "-I", "br-out",
              GATEWAY_IP)).out());
          return !arp.get().contains("Received 0 response(s)");
        });
    evidence("arping %s from outside: %s", GATEWAY_IP, arp.get());
    assertThat(arp.get()).contains("Sent 3 probes").contains("Received 3 response(s)");
  }

  @Test
  @Order(2)
  @DisplayName("2. drain: the active host's agent set admin-state down moves SNAT to the standby first, then the old host hands over: no ping lost")
  void drainLosesNothing() throws Exception {
    // -Dha.drains=N drains N times in a row (each time the host that is active then): how rare a loss is.
    int drains = Integer.getInteger("ha.drains", 1);
    List<Integer> losses = new ArrayList<>();
    for (int i = 0; i < drains; i++) {
      losses.add(drainOnce());
    }
    evidence("drains: %d, lost per drain %s", drains, losses);
    assertThat(losses).as("packets lost per drain").allSatisfy(lost -> assertThat(lost).isZero());
  }

  /** Drains the active host under a steady ping, brings it back as a standby; the pings lost. */
  int drainOnce() throws Exception {
    Roles roles = awaitRoles();
    try (LabShell.Background ping = steadyPing()) {
      awaitReplies(ping, 40);
      long started = System.nanoTime();
      evidence("draining %s", roles.active());
      adminState(roles.active(), false);
      Awaitility.await("the standby holds the addresses and the drained host gave them up").atMost(CONVERGE)
          .pollInterval(Duration.ofMillis(100)).until(() -> holds(roles.standby()) && !holds(roles.active()));
      long movedMs = (System.nanoTime() - started) / 1_000_000;
      PingLog log = PingLog.parse(ping.await(Duration.ofSeconds(PINGS / 10 + 30)).out());
      evidence("drain of %s: moved in %d ms; %s; lost %d", roles.active(), movedMs, log.summary(), log.lost());
      ping.out().lines().filter(l -> l.contains("no answer")).forEach(l -> evidence("PING %s", l));
      return log.lost();
    } finally {
      adminState(roles.active(), true);
    }
  }

  @Test
  @Order(3)
  @DisplayName("3. no split brain: the active host cut off the control plane gives up its addresses (read from its kernel) before the standby takes them; never both at once")
  void cutOffHostFencesItself() throws Exception {
    Roles roles = awaitRoles();
    List<long[]> samples = new java.util.concurrent.CopyOnWriteArrayList<>(); // {nanos, standby holds, active holds}
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler = new Thread(() -> {
      while (sampling.get()) {
        // The standby first: if it holds, the cut host must already have given up (it is read after).
        boolean standby = holds(roles.standby());
        boolean active = holds(roles.active());
        samples.add(new long[] {System.nanoTime(), standby ? 1 : 0, active ? 1 : 0});
      }
    }, "kernel-sampler");
    sampler.start();
    long cutAt;
    try {
      Awaitility.await().atMost(CONVERGE).until(() -> samples.size() >= 3);
      cutAt = System.nanoTime();
      cuts.get(roles.active()).cut();
      Awaitility.await("the standby promoted").atMost(CONVERGE).pollInterval(Duration.ofMillis(50))
          .until(() -> !samples.isEmpty() && samples.get(samples.size() - 1)[1] == 1);
    } finally {
      sampling.set(false);
      sampler.join(30_000);
    }
    long gaveUp = -1;
    long promoted = -1;
    for (long[] s : samples) {
      assertThat(s[1] == 1 && s[2] == 1).as("both hosts held %s at once (%d samples)", GATEWAY_IP, samples.size())
          .isFalse();
      if (s[0] > cutAt && gaveUp < 0 && s[2] == 0) {
        gaveUp = s[0];
      }
      if (s[0] > cutAt && promoted < 0 && s[1] == 1) {
        promoted = s[0];
      }
    }
    evidence("cut %s off the control plane (%d bus messages dropped): gave up its addresses %d ms after the cut,"
        + " standby %s promoted %d ms after it; %d kernel samples", roles.active(), cuts.get(roles.active()).dropped(),
        (gaveUp - cutAt) / 1_000_000, roles.standby(), (promoted - cutAt) / 1_000_000, samples.size());
    assertThat(gaveUp).as("the cut host gave up its addresses").isPositive();
    assertThat(gaveUp).as("given up before the standby took them").isLessThan(promoted);
    // Healed: the host takes its lease again, refetches and stays a standby; the new active keeps the addresses.
    cuts.get(roles.active()).heal();
    Roles after = awaitRoles();
    assertThat(after).isEqualTo(new Roles(roles.standby(), roles.active()));
  }

  @Test
  @Order(4)
  @DisplayName("4. crash: the active network node dies at once (links, namespaces and agent gone, no goodbye); the standby takes over within the lease's bound and traffic resumes")
  void crashFailsOver() throws Exception {
    Roles roles = awaitRoles();
    LabShell.Result dead;
    PingLog log;
    try (LabShell.Background ping = steadyPing()) {
      awaitReplies(ping, 40);
      // The host's wires first (underlay and external network), then its agent stops without a word, then its namespaces.
      shell.run(CMD, "ip", "-n", "lab-underlay", "link", "del", "u-" + roles.active());
      shell.run(CMD, "ip", "-n", "lab-outside", "link", "del", "x-" + roles.active());
      ApiClient.await(agents.remove(roles.active()).stop());
      dead = shell.run(CMD, shell.onHost(roles.active(), "ip", "-all", "netns", "delete"));
      log = PingLog.parse(ping.await(Duration.ofSeconds(PINGS / 10 + 30)).out());
    }
    double outage = log.longestGap() * PING_INTERVAL_S;
    double bound = 2 * (RENEW_MS + HOLD_MS + GRACE_MS + CHECK_MS) / 1000.0 + 3;
    evidence("crash of %s (namespaces deleted: %s): %s; lost %d; longest gap %d pings = outage %.2f s (bound %.2f s);"
        + " last reply seq %d", roles.active(), dead.ok(), log.summary(), log.lost(), log.longestGap(), outage, bound,
        log.lastReplied());
    assertThat(holds(roles.standby())).as("the standby holds the addresses").isTrue();
    assertThat(log.lastReplied()).as("traffic resumed: the last pings answered (%s)", log.summary())
        .isGreaterThan(PINGS - 10);
    assertThat(outage).as("outage within the lease's bound").isLessThanOrEqualTo(bound);
  }
}

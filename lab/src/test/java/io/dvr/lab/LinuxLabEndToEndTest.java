package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.HostAgentService;
import io.dvr.agent.render.Names;
import io.dvr.arp.ArpService;
import io.dvr.common.VertxBootstrap;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.config.Settings;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.TestSecurity;
import io.dvr.gateway.ApiGateway;
import io.dvr.gateway.SeedTopology;
import io.dvr.macalloc.MacAllocatorService;
import io.dvr.proto.v1.AssociateFloatingIpRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.DisassociateFloatingIpRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.GetPortRequest;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Status;
import io.dvr.proto.v1.Subnet;
import io.dvr.scheduler.SchedulerService;
import io.dvr.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 4's acceptance: the control plane in-process, three host agents on the {@code linux}
 * dataplane, each programming one host of labnet (network, compute1, compute2), and the traffic
 * kinds of dvr-reference.md §10 proven with real packets between VM namespaces and the outside host.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("the Linux lab end to end: the seed's topology built through the API carries real packets")
class LinuxLabEndToEndTest {
  static final String LAB_DIR = "/run/labnet-e2e";
  static final String OUTSIDE = "192.168.1.20";
  static final String SNAT_IP = "192.168.1.115";
  static final String FIP = "192.168.1.116";
  static final Map<String, String> UNDERLAY = Map.of("network", "172.31.0.11", "compute1", "172.31.0.12",
      "compute2", "172.31.0.13");
  static final Map<String, String> MODES = Map.of("network", "dvr_snat", "compute1", "dvr", "compute2", "dvr");
  static final Duration CONVERGE = Duration.ofSeconds(45);
  static final Duration CMD = Duration.ofSeconds(20);

  /** One VM: its lab host, namespace name and API port. */
  record Vm(String host, String name, Port port, String gateway) {
    String ip() {
      return port.getFixedIps(0).getIpAddress();
    }
  }

  LabShell shell;
  boolean labUp;
  Path tmp;
  Vertx vertx;
  Database db;
  ApiGateway gateway;
  ApiClient api;
  Settings base;
  final Map<String, HostAgentService> agents = new TreeMap<>();
  SeedTopology seed;
  final Map<String, Vm> vms = new LinkedHashMap<>();
  int nextPort = 47000;

  @BeforeAll
  void up() throws Exception {
    List<String> missing = new ArrayList<>();
    if (!"root".equals(System.getProperty("user.name")) && !isRoot()) {
      missing.add("root");
    }
    for (String tool : List.of("ovs-vswitchd", "ovsdb-server", "ovs-vsctl", "ovs-ofctl", "ip", "iptables",
        "iptables-restore", "nsenter", "unshare", "ethtool", "ping", "nc", "tcpdump")) {
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
    // up.sh refuses to start over a lab that is up (maybe another run's) and tears down its own half-built lab.
    LabShell.Result up = shell.run(Duration.ofSeconds(60), shell.script("up.sh"));
    labUp = up.ok();
    Assumptions.assumeTrue(up.exit() != 2, "labnet/up.sh says the lab cannot run here: " + up.err());
    assertThat(up.ok()).as("labnet/up.sh: %s", up).isTrue();

    tmp = Files.createTempDirectory("linux-lab-e2e");
    base = Settings.of(new HashMap<>(Map.of("db.data-dir", tmp.resolve("pg").toString(), "api.port", "0",
        "rest.port", "0", "scheduler.port", "0", "mac-allocator.port", "0", "arp.port", "0", "outbox.poll-ms", "200",
        "security.dir", TestSecurity.dir().toString())));
    vertx = ApiClient.await(VertxBootstrap.start(base));
    db = ApiClient.await(Database.open(vertx, base));
    gateway = ApiClient.await(ApiGateway.start(vertx, base, db));
    ApiClient.await(SchedulerService.start(vertx, base, db)
        .compose(v -> MacAllocatorService.start(vertx, base, db))
        .compose(v -> ArpService.start(vertx, base, db)));
    api = new ApiClient(vertx, gateway.port(), ApiClient.tokenIn(gateway.adminTokenFile().orElseThrow()));
    for (String host : List.of("network", "compute1", "compute2")) {
      agents.put(host, ApiClient.await(startAgent(host)));
    }

    seed = SeedTopology.build(api);
    Port vm3 = vmPort(seed.net1, seed.sub81, "vm3", "compute1", "81.1.180.19");
    Port vm4 = vmPort(seed.net1, seed.sub81, "vm4", "compute2", "81.1.180.20");
    vms.put("vm1", new Vm("compute1", "vm1", seed.vm1, seed.sub81.getGatewayIp()));
    vms.put("vm2", new Vm("compute2", "vm2", seed.vm2, seed.sub90.getGatewayIp()));
    vms.put("vm3", new Vm("compute1", "vm3", vm3, seed.sub81.getGatewayIp()));
    vms.put("vm4", new Vm("compute2", "vm4", vm4, seed.sub81.getGatewayIp()));

    // The router's namespaces on every host first: the agents render what the control plane sends.
    String qrouter = Names.qrouterNamespace(SeedTopology.ROUTER_ID);
    Awaitility.await("qrouter namespace on every host").atMost(CONVERGE).pollInterval(Duration.ofMillis(300))
        .untilAsserted(() -> {
          for (String host : agents.keySet()) {
            assertThat(shell.run(CMD, shell.onHost(host, "ip", "netns", "list")).out()).as(host).contains(qrouter);
          }
        });
    for (Vm vm : vms.values()) {
      String prefix = vm.ip() + "/24";
      LabShell.Result r = shell.run(CMD, shell.script("vm.sh"), vm.host(), vm.name(), vm.port().getMacAddress(),
          prefix, vm.gateway(), "-", vm.port().getId());
      assertThat(r.ok()).as("vm.sh %s: %s", vm.name(), r).isTrue();
    }
    // No resync asked for: the agents notice the VMs plugged through their OVS monitor, tag them and add their flows.
  }

  static boolean isRoot() {
    try {
      return "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).trim());
    } catch (Exception e) {
      return false;
    }
  }

  Settings agentSettings(String host) {
    return base.with(Map.ofEntries(Map.entry("host.name", host), Map.entry("agent.mode", MODES.get(host)),
        Map.entry("host-agent.port", "0"), Map.entry("api.address", "127.0.0.1:" + gateway.port()),
        Map.entry("agent.dataplane", "linux"), Map.entry("linux.lab-dir", LAB_DIR), Map.entry("linux.lab-host", host),
        Map.entry("linux.state-dir", tmp.resolve("state").toString()), Map.entry("agent.tunnel-ip", UNDERLAY.get(host)),
        Map.entry("agent.report-interval-seconds", "2")));
  }

  Future<HostAgentService> startAgent(String host) {
    return HostAgentService.start(vertx, agentSettings(host));
  }

  Port vmPort(Network net, Subnet subnet, String name, String host, String ip) {
    return api.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(net.getId())
        .setName(name).setDeviceOwner("compute:nova").setBindingHost(host)
        .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(subnet.getId()).setIpAddress(ip)).build());
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
      deleteTree(tmp);
      if (labUp) {
        LabShell.Result down = shell.run(Duration.ofSeconds(60), shell.script("down.sh"));
        assertThat(down.ok()).as("labnet/down.sh: %s", down).isTrue();
      }
    }
  }

  /** The run's database and agent state files go with it. */
  static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not remove " + root + ": " + e.getMessage());
    }
  }

  // ---- helpers ----

  LabShell.Result ping(Vm from, String dst) {
    return shell.run(CMD, shell.inVm(from.host(), from.name(), "ping", "-n", "-c", "1", "-W", "1", dst));
  }

  /** Pings until it answers (convergence); returns the answered ping's output. */
  String awaitPing(Vm from, String dst) {
    AtomicReference<LabShell.Result> last = new AtomicReference<>();
    Awaitility.await(from.name() + " pings " + dst).atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
        .pollDelay(Duration.ZERO).until(() -> {
          last.set(ping(from, dst));
          return last.get().ok();
        });
    return last.get().out();
  }

  static int ttl(String pingOut) {
    Matcher m = Pattern.compile("ttl=(\\d+)").matcher(pingOut);
    assertThat(m.find()).as("a reply with a ttl in: %s", pingOut).isTrue();
    return Integer.parseInt(m.group(1));
  }

  /**
   * One TCP exchange: a listener (serverArgv prefix: where it runs) on listenIp, a client (clientArgv
   * prefix) connecting to dstIp; both send a line. Returns the listener's "Connection received on
   * PEER PORT" line; asserts that both lines crossed.
   */
  String tcp(List<String> serverAt, String listenIp, List<String> clientAt, String dstIp) {
    AtomicReference<String> peer = new AtomicReference<>();
    Awaitility.await("TCP to " + dstIp).atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).pollDelay(Duration.ZERO)
        .untilAsserted(() -> {
          int port = nextPort++;
          List<String> server = new ArrayList<>(serverAt);
          server.addAll(List.of("nc", "-l", "-v", "-n", "-w", "3", listenIp, String.valueOf(port)));
          try (LabShell.Background listener = shell.start(server, "hello-from-server\n")) {
            Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> listener.err().contains("Listening on") || !listener.process.isAlive());
            List<String> client = new ArrayList<>(clientAt);
            client.addAll(List.of("nc", "-n", "-w", "2", "-N", dstIp, String.valueOf(port)));
            LabShell.Background c = shell.start(client, "hello-from-client\n");
            LabShell.Result cr = c.await(Duration.ofSeconds(6));
            c.close();
            LabShell.Result sr = listener.await(Duration.ofSeconds(4));
            assertThat(cr.out()).as("client got the server's line: %s / %s", cr, sr).contains("hello-from-server");
            assertThat(sr.out()).as("server got the client's line: %s", sr).contains("hello-from-client");
            Matcher m = Pattern.compile("Connection received on (\\S+)").matcher(sr.err());
            assertThat(m.find()).as("peer in %s", sr.err()).isTrue();
            peer.set(m.group(1));
            evidence("TCP %s -> %s:%d: listener saw peer %s", String.join(" ", clientAt.subList(Math.max(0, clientAt.size() - 1), clientAt.size())), dstIp, port, m.group(1));
          }
        });
    return peer.get();
  }

  /** What the outside host believes about the FIP, and the fg- devices compute1 holds now. */
  String fipDiagnostics() {
    String fipNs = Names.fipNamespace(SeedTopology.EXT_NET_ID);
    return "outside's neighbour entry for the FIP: "
        + shell.run(CMD, LabShell.inNetns("lab-outside", "ip", "neigh", "show", FIP)).out()
        + "compute1 " + fipNs + " links:\n" + shell.run(CMD, shell.onHost("compute1", "ip", "-n", fipNs, "-br", "link")).out()
        + "compute1 " + fipNs + " addresses:\n" + shell.run(CMD, shell.onHost("compute1", "ip", "-n", fipNs, "-br", "addr")).out();
  }

  static void evidence(String format, Object... args) {
    System.out.printf("[e2e %tT.%<tL] %s%n", System.currentTimeMillis(), String.format(format, args));
  }

  List<String> vmAt(Vm vm) {
    return List.of(shell.script("on-host.sh"), vm.host(), "ip", "netns", "exec", vm.name());
  }

  static List<String> outsideAt() {
    return List.of("ip", "netns", "exec", "lab-outside");
  }

  HostRouters routersOf(String host) {
    GetHostRoutersRequest request = GetHostRoutersRequest.newBuilder().setHost(host).build();
    return ApiClient.await(Bus.request(vertx, EventAddresses.GET_HOST_ROUTERS, request, HostRouters.parser(), 10_000,
        TestSecurity.proof(host).options(request)));
  }

  // ---- the traffic kinds, in the order of dvr-reference.md §10 ----

  @Test
  @Order(1)
  @DisplayName("1. the VM ports go ACTIVE once their agents have wired them; two VMs of one subnet on one host reach each other")
  void sameSubnetSameHost() {
    Awaitility.await("every VM port ACTIVE").atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      for (Vm vm : vms.values()) {
        assertThat(api.call(PortServiceGrpcClient.GetPort, GetPortRequest.newBuilder().setId(vm.port().getId()).build())
            .getStatus()).as(vm.name()).isEqualTo(Status.STATUS_ACTIVE);
      }
    });
    awaitPing(vms.get("vm1"), vms.get("vm3").ip());
    awaitPing(vms.get("vm3"), vms.get("vm1").ip());
  }

  @Test
  @Order(2)
  @DisplayName("2. two VMs of one subnet on different hosts reach each other through the VXLAN tunnel, TCP included")
  void sameSubnetAcrossHosts() {
    awaitPing(vms.get("vm1"), vms.get("vm4").ip());
    awaitPing(vms.get("vm4"), vms.get("vm1").ip());
    String peer = tcp(vmAt(vms.get("vm4")), vms.get("vm4").ip(), vmAt(vms.get("vm1")), vms.get("vm4").ip());
    assertThat(peer).isEqualTo(vms.get("vm1").ip());
  }

  @Test
  @Order(3)
  @DisplayName("3. east-west across hosts is delivered, routed once (TTL one lower) and tunnelled with the source host's DVR MAC")
  void eastWestAcrossHosts() throws Exception {
    Vm vm1 = vms.get("vm1");
    Vm vm2 = vms.get("vm2");
    int direct = ttl(awaitPing(vm1, vms.get("vm4").ip()));
    int routed = ttl(awaitPing(vm1, vm2.ip()));
    evidence("ttl same subnet %d, routed east-west %d", direct, routed);
    assertThat(routed).as("ttl routed (%d) vs same subnet (%d)", routed, direct).isEqualTo(direct - 1);
    awaitPing(vm2, vm1.ip());
    String peer = tcp(vmAt(vm2), vm2.ip(), vmAt(vm1), vm2.ip());
    assertThat(peer).isEqualTo(vm1.ip());

    String dvrMac = routersOf("compute1").getDvrMac();
    assertThat(dvrMac).startsWith("fa:16:3f");
    // The underlay seen from the bridge port of compute1: VXLAN decoded, inner Ethernet header with -e.
    List<String> capture = LabShell.inNetns("lab-underlay", "tcpdump", "-l", "-n", "-e", "-i", "u-compute1",
        "-c", "50", "udp port 4789 and src host " + UNDERLAY.get("compute1"));
    // Other frames cross the tunnel too (IPv6 multicast listener reports): wait for the routed one.
    String routedFrame = dvrMac + " > " + vm2.port().getMacAddress();
    try (LabShell.Background dump = shell.start(capture)) {
      Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
          .until(() -> dump.err().contains("listening on"));
      Awaitility.await("a routed frame on the tunnel").atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(200)).until(() -> {
            ping(vm1, vm2.ip());
            return dump.out().contains(routedFrame) || !dump.process.isAlive();
          });
      String frames = dump.out();
      evidence("DVR MAC of compute1 %s; underlay frames:%n%s", dvrMac, frames);
      assertThat(frames).as("frames from compute1 on the underlay").contains("VXLAN")
          .contains(routedFrame);
    }
  }

  @Test
  @Order(4)
  @DisplayName("4. a VM without floating IP reaches the outside host, which sees the router's SNAT address")
  void snatToOutside() {
    Vm vm2 = vms.get("vm2");
    awaitPing(vm2, OUTSIDE);
    assertThat(tcp(outsideAt(), OUTSIDE, vmAt(vm2), OUTSIDE)).isEqualTo(SNAT_IP);
  }

  @Test
  @Order(5)
  @DisplayName("5. a VM with a floating IP is seen outside as the floating IP, and the outside reaches it there (TCP both ways)")
  void floatingIp() {
    Vm vm1 = vms.get("vm1");
    awaitPing(vm1, OUTSIDE);
    assertThat(tcp(outsideAt(), OUTSIDE, vmAt(vm1), OUTSIDE)).isEqualTo(FIP);
    Awaitility.await("outside pings the FIP (proxy ARP on fg-)").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
        .until(() -> shell.run(CMD, LabShell.inNetns("lab-outside", "ping", "-n", "-c", "1", "-W", "1", FIP)).ok());
    assertThat(tcp(vmAt(vm1), vm1.ip(), outsideAt(), FIP)).isEqualTo(OUTSIDE);
  }

  @Test
  @Order(6)
  @DisplayName("6. removing the floating IP falls back to SNAT, adding it again restores it")
  void floatingIpRemovedAndReadded() {
    Vm vm1 = vms.get("vm1");
    evidence("disassociated: %s", api.call(FloatingIpServiceGrpcClient.DisassociateFloatingIp,
        DisassociateFloatingIpRequest.newBuilder().setId(seed.fip.getId()).build()));
    Awaitility.await("outbound through SNAT").atMost(CONVERGE).pollInterval(Duration.ofMillis(300))
        .untilAsserted(() -> assertThat(tcp(outsideAt(), OUTSIDE, vmAt(vm1), OUTSIDE)).isEqualTo(SNAT_IP));
    evidence("associated: %s", api.call(FloatingIpServiceGrpcClient.AssociateFloatingIp,
        AssociateFloatingIpRequest.newBuilder().setId(seed.fip.getId()).setPortId(vm1.port().getId()).build()));
    try {
      Awaitility.await("outbound through the FIP again").atMost(CONVERGE).pollInterval(Duration.ofMillis(300))
          .untilAsserted(() -> assertThat(tcp(outsideAt(), OUTSIDE, vmAt(vm1), OUTSIDE)).isEqualTo(FIP));
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(e.getMessage() + "\n" + fipDiagnostics(), e);
    }
    assertThat(tcp(vmAt(vm1), vm1.ip(), outsideAt(), FIP)).isEqualTo(OUTSIDE);
  }

  @Test
  @Order(7)
  @DisplayName("7. restarting a host agent during a steady ping loses at most one packet and changes nothing on the host")
  void agentRestart() throws Exception {
    Vm vm1 = vms.get("vm1");
    Vm vm2 = vms.get("vm2");
    awaitPing(vm1, vm2.ip());
    List<String> steady = shell.inVm(vm1.host(), vm1.name(), "ping", "-n", "-i", "0.1", "-c", "100", "-W", "1",
        vm2.ip());
    try (LabShell.Background ping = shell.start(steady)) {
      ApiClient.await(agents.remove("compute1").stop());
      HostAgentService restarted = ApiClient.await(startAgent("compute1"));
      agents.put("compute1", restarted);
      Awaitility.await("the restarted agent's first sync").atMost(CONVERGE).pollInterval(Duration.ofMillis(100))
          .until(restarted::syncedOnce);
      LabShell.Result r = ping.await(Duration.ofSeconds(40));
      Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(r.out());
      assertThat(m.find()).as("ping summary in %s", r).isTrue();
      int sent = Integer.parseInt(m.group(1));
      int received = Integer.parseInt(m.group(2));
      evidence("steady ping across the restart: %s; restarted agent: syncedOnce %s, operationsSinceStart %d",
          m.group(), restarted.syncedOnce(), restarted.operationsSinceStart());
      assertThat(sent - received).as("packets lost during the restart: %s", r.out()).isLessThanOrEqualTo(1);
      assertThat(restarted.operationsSinceStart()).as("operations applied by the restarted agent").isZero();
    }
  }

  @Test
  @Order(8)
  @DisplayName("8. MTU: full-size packets of the VXLAN networks (1450 bytes, not fragmented) cross hosts east-west, to the outside through SNAT and from the outside to the FIP")
  void fullSizePackets() {
    // 1422 bytes of ICMP payload + 28 of headers = 1450, the seed networks' MTU, with DF set.
    List<String> fullSize = List.of("ping", "-n", "-c", "1", "-W", "1", "-M", "do", "-s", "1422");
    Vm vm1 = vms.get("vm1");
    Vm vm2 = vms.get("vm2");
    awaitOk("vm1 -> vm2 east-west", shell.inVm(vm1.host(), vm1.name(), with(fullSize, vm2.ip()).toArray(String[]::new)));
    awaitOk("vm2 -> outside through SNAT", shell.inVm(vm2.host(), vm2.name(), with(fullSize, OUTSIDE).toArray(String[]::new)));
    awaitOk("outside -> FIP", LabShell.inNetns("lab-outside", with(fullSize, FIP).toArray(String[]::new)));
    // The router's ports carry their network's MTU: 1450 inside, 1500 on the external network.
    String qrouter = Names.qrouterNamespace(SeedTopology.ROUTER_ID);
    String links = shell.run(CMD, shell.onHost("compute1", "ip", "-n", qrouter, "-o", "link", "show")).out();
    evidence("compute1 %s links:%n%s", qrouter, links);
    assertThat(links.lines().filter(l -> l.contains(": qr-"))).isNotEmpty().allMatch(l -> l.contains(" mtu 1450 "));
    String snatLinks = shell.run(CMD, shell.onHost("network", "ip", "-n", Names.snatNamespace(SeedTopology.ROUTER_ID),
        "-o", "link", "show")).out();
    assertThat(snatLinks.lines().filter(l -> l.contains(": sg-"))).isNotEmpty().allMatch(l -> l.contains(" mtu 1450 "));
    assertThat(snatLinks.lines().filter(l -> l.contains(": qg-"))).singleElement().matches(l -> l.contains(" mtu 1500 "));
  }

  static List<String> with(List<String> argv, String last) {
    List<String> all = new ArrayList<>(argv);
    all.add(last);
    return all;
  }

  void awaitOk(String what, List<String> argv) {
    AtomicReference<LabShell.Result> last = new AtomicReference<>();
    try {
      Awaitility.await(what).atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).pollDelay(Duration.ZERO).until(() -> {
        last.set(shell.run(CMD, argv));
        return last.get().ok();
      });
    } catch (RuntimeException e) {
      throw new AssertionError(what + ": " + last.get(), e);
    }
  }
}

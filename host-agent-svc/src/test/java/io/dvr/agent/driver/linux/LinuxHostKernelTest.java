package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.DeviceKind;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.Route;
import io.dvr.agent.reconcile.Operation;
import io.dvr.agent.reconcile.Plan;
import io.dvr.agent.reconcile.Reconciler;
import io.dvr.agent.render.HostRenderer;
import io.dvr.agent.render.Names;
import io.dvr.proto.v1.HaState;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.FloatingIpInfo;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Linux driver on the real kernel and a real Open vSwitch, inside one labnet host made for
 * this class (needs root, iproute2, iptables, ethtool and openvswitch-switch; skipped otherwise,
 * saying what is missing). Every test uses fresh router ids and ends with the host emptied of ours.
 */
class LinuxHostKernelTest {
  private static final String CLASS = "LinuxHostKernelTest";
  private static Optional<String> missing = Optional.empty();
  private static LabHost lab;
  private static CommandRunner runner;
  private static LinuxHost host;

  @BeforeAll
  static void up() throws Exception {
    missing = LabHost.missing();
    if (missing.isPresent()) {
      System.err.println("SKIPPED " + CLASS + ": " + missing.get());
      return;
    }
    lab = LabHost.up();
    runner = CommandRunner.withPool(lab.shell(), 4);
    host = new LinuxHost("lab", runner, LinuxOptions.defaults());
  }

  /** Each test reports the skip with its reason; a skipped @BeforeAll would hide the tests instead. */
  @BeforeEach
  void requireLab() {
    assumeTrue(missing.isEmpty(), () -> missing.orElse(""));
  }

  @AfterAll
  static void down() {
    // The host owns the runner, and its announcers must stop before the runner's scratch goes.
    if (host != null) {
      host.close();
    } else if (runner != null) {
      runner.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  @AfterEach
  void removeOurs() {
    if (host != null) {
      host.execute(Reconciler.diff(emptyBridges(), host.observe()));
    }
  }

  /** Nothing of ours: no namespace, no flow with our cookie. */
  private static HostState emptyBridges() {
    Map<String, BridgeState> bridges = new TreeMap<>();
    List.of(Names.BR_INT, Names.BR_TUN).forEach(b -> bridges.put(b, BridgeState.of(b, List.of())));
    return HostState.of(Map.of(), bridges);
  }

  private static HostState desired(SmallRouter r, HostRouters routers) {
    return HostRenderer.render(routers, r.facts(routers));
  }

  private static String sh(String... argv) {
    return runner.run(Command.of(argv)).stdout();
  }

  /** iproute2 6.1 ends some route lines with a blank; the memory driver does not. */
  private static String trimmed(String listing) {
    return listing.lines().map(String::stripTrailing).map(l -> l + "\n").reduce("", String::concat);
  }

  private static Plan converge(LinuxHost on, HostState desired) {
    Plan plan = Reconciler.diff(desired, on.observe());
    on.execute(plan);
    return plan;
  }

  @Test
  @DisplayName("a rendered router (qr-, FIP with rfp/fpr and fip-, snat-) executes, reads back equal, and a second diff is empty")
  void convergesOnTheKernel() {
    SmallRouter r = new SmallRouter();
    HostState desired = desired(r, r.routers(true));
    long processes = runner.processesStarted();
    long start = System.nanoTime();
    Plan plan = converge(host, desired);
    long applyMs = (System.nanoTime() - start) / 1_000_000;
    start = System.nanoTime();
    HostState observed = host.observe();
    long observeMs = (System.nanoTime() - start) / 1_000_000;
    System.out.printf("kernel: %d operations (observe, diff, execute) in %d ms, then observed in %d ms; %d processes%n",
        plan.size(), applyMs, observeMs, runner.processesStarted() - processes);
    assertThat(plan.size()).isGreaterThan(40);
    assertThat(Reconciler.diff(desired, observed).operations()).isEmpty();
    assertThat(observed.namespaces()).containsKeys(r.qrouter(), r.snat(), r.fipNs());
    for (String ns : SmallRouter.namespacesOf(r)) {
      assertThat(observed.namespace(ns)).as(ns).isEqualTo(desiredWithKernelExtras(desired, observed, ns));
    }
    assertThat(observed.bridges().get(Names.BR_TUN).flows())
        .containsAll(desired.bridges().get(Names.BR_TUN).flows());
    assertThat(sh("ovs-ofctl", "-O", "OpenFlow13", "dump-flows", "br-int")).contains("cookie=0x4456520000000000");
  }

  @Test
  @DisplayName("a router with 51 floating IPs from an empty host: one ip process makes every namespace and veth pair, then per namespace one ip batch, at most one sysctl and one nat restore (no iptables-save), and one OVS transaction")
  void processesOfAPlan() throws IOException {
    SmallRouter r = new SmallRouter();
    HostRouters.Builder b = r.routers(true).toBuilder();
    for (int i = 0; i < 50; i++) {
      b.getRoutersBuilder(0).addFloatingIps(FloatingIpInfo.newBuilder().setFloatingIpId(UUID.randomUUID().toString())
          .setFloatingIpAddress("192.168.61." + (10 + i)).setFixedIpAddress("10.61.0." + (100 + i))
          .setPortId(UUID.randomUUID().toString()).setFloatingNetworkId(r.extNet));
    }
    HostState desired = desired(r, b.build());
    Plan plan = Reconciler.diff(desired, host.observe());
    List<String> commands = recorded(plan);
    System.out.println("processes of a plan of " + plan.size() + " operations:\n" + String.join("\n", commands));
    assertThat(Reconciler.diff(desired, host.observe()).operations()).isEmpty();
    List<String> namespaces = SmallRouter.namespacesOf(r);
    assertThat(commands).filteredOn(c -> c.startsWith("ip -force -batch")).hasSize(1);
    assertThat(commands).noneMatch(c -> c.startsWith("ip netns add") || c.contains("iptables-save"));
    for (String ns : namespaces) {
      assertThat(commands).as(ns).filteredOn(c -> c.startsWith("ip -n " + ns + " -force -batch")).hasSize(1);
      assertThat(commands).as(ns).filteredOn(c -> c.startsWith("ip netns exec " + ns + " sysctl"))
          .hasSizeLessThanOrEqualTo(1);
      assertThat(commands).as(ns).filteredOn(c -> c.startsWith("ip netns exec " + ns + " iptables-restore"))
          .hasSizeLessThanOrEqualTo(1);
    }
    assertThat(commands).filteredOn(c -> c.startsWith("ovs-vsctl")).hasSize(1);
    assertThat(commands).filteredOn(c -> c.contains("-batch")).hasSize(1 + namespaces.size());
  }

  /** The routers with one more floating IP on the router's first subnet. */
  private static HostRouters withFloatingIp(SmallRouter r, HostRouters routers, String floating, String fixed) {
    HostRouters.Builder b = routers.toBuilder();
    b.getRoutersBuilder(0).addFloatingIps(FloatingIpInfo.newBuilder().setFloatingIpId(UUID.randomUUID().toString())
        .setFloatingIpAddress(floating).setFixedIpAddress(fixed).setPortId(UUID.randomUUID().toString())
        .setFloatingNetworkId(r.extNet));
    return b.build();
  }

  /** Our part of a namespace's nat table as the kernel holds it, read apart from the driver under test. */
  private static io.dvr.agent.model.NatTable natOf(String ns) {
    return NatRestore.parse(sh("ip", "netns", "exec", ns, "iptables-save", "-t", "nat")).owned(Names::isOurChain);
  }

  private static List<String> executed(LinuxHost on, RecordingShell recording, Plan plan) {
    int before = recording.commands().size();
    on.execute(plan);
    List<String> all = recording.commands();
    return all.subList(before, all.size());
  }

  @Test
  @DisplayName("without sessions, a floating IP added, then removed, changes the nat table by a delta: one iptables-restore each, no iptables-save, and the table reads back as rendered")
  void floatingIpNatIsADelta() throws IOException {
    SmallRouter r = new SmallRouter();
    HostRouters one = r.routers(true);
    HostState desiredOne = desired(r, one);
    HostState desiredTwo = desired(r, withFloatingIp(r, one, "192.168.61.20", "10.61.0.20"));
    try (RecordingShell recording = new RecordingShell(lab.shell())) {
      LinuxHost on = new LinuxHost("lab", CommandRunner.withPool(recording.shell(), 4), LinuxOptions.defaults(), false);
      try {
        converge(on, desiredOne);
        List<String> added = executed(on, recording, Reconciler.diff(desiredTwo, desiredOne));
        assertThat(natOf(r.qrouter())).isEqualTo(desiredTwo.namespace(r.qrouter()).nat());
        List<String> removed = executed(on, recording, Reconciler.diff(desiredOne, desiredTwo));
        assertThat(natOf(r.qrouter())).isEqualTo(desiredOne.namespace(r.qrouter()).nat());
        for (List<String> commands : List.of(added, removed)) {
          assertThat(commands).noneMatch(c -> c.contains("iptables-save"));
          assertThat(commands).filteredOn(c -> c.contains("iptables-restore")).hasSize(1);
        }
        assertThat(Reconciler.diff(desiredOne, on.observe()).operations()).isEmpty();
      } finally {
        on.close();
      }
    }
  }

  @Test
  @DisplayName("with sessions, floating IPs' nat deltas go through the namespace's long-lived iptables-restore: started once, then no process per change, and the table reads back as rendered after each")
  void floatingIpNatThroughASession() throws IOException {
    SmallRouter r = new SmallRouter();
    HostRouters one = r.routers(true);
    HostState desiredOne = desired(r, one);
    HostState desiredTwo = desired(r, withFloatingIp(r, one, "192.168.61.20", "10.61.0.20"));
    try (RecordingShell recording = new RecordingShell(lab.shell())) {
      LinuxHost on = new LinuxHost("lab", CommandRunner.withPool(recording.shell(), 4), LinuxOptions.defaults());
      try {
        converge(on, desiredOne);
        List<String> added = executed(on, recording, Reconciler.diff(desiredTwo, desiredOne));
        assertThat(natOf(r.qrouter())).isEqualTo(desiredTwo.namespace(r.qrouter()).nat());
        List<String> removed = executed(on, recording, Reconciler.diff(desiredOne, desiredTwo));
        assertThat(natOf(r.qrouter())).isEqualTo(desiredOne.namespace(r.qrouter()).nat());
        List<String> again = executed(on, recording, Reconciler.diff(desiredTwo, desiredOne));
        assertThat(natOf(r.qrouter())).isEqualTo(desiredTwo.namespace(r.qrouter()).nat());
        // The session's two processes start with the first change; the later changes start none.
        assertThat(added).filteredOn(c -> c.contains("iptables-restore -n")).hasSize(1);
        assertThat(added).filteredOn(c -> c.contains("xtables-monitor")).hasSize(1);
        for (List<String> commands : List.of(added, removed, again)) {
          assertThat(commands).noneMatch(c -> c.contains("iptables-save"));
        }
        for (List<String> commands : List.of(removed, again)) {
          assertThat(commands).noneMatch(c -> c.contains("iptables") || c.contains("xtables"));
        }
        assertThat(on.natSessionBlocks()).isEqualTo(3);
        assertThat(on.natSessionsStarted()).isEqualTo(1);
        assertThat(Reconciler.diff(desiredTwo, on.observe()).operations()).isEmpty();
        // Removing the router ends the session first: nothing of it holds the deleted namespace alive.
        long inode = namespaceInode(r.qrouter());
        converge(on, emptyBridges());
        assertThat(holdersOf(inode)).as("processes still in the deleted " + r.qrouter()).isEmpty();
      } finally {
        on.close();
      }
    }
  }

  /** The inode of a lab namespace's network namespace, as /proc/PID/ns/net names it. */
  private static long namespaceInode(String ns) {
    return Long.parseLong(sh("ip", "netns", "exec", ns, "readlink", "/proc/self/ns/net").strip()
        .replaceAll("[^0-9]", ""));
  }

  /** The processes (on this machine: the lab host shares its pids) whose network namespace is that one. */
  static List<String> holdersOf(long inode) throws IOException {
    List<String> holders = new java.util.ArrayList<>();
    try (var procs = java.nio.file.Files.list(java.nio.file.Path.of("/proc"))) {
      for (java.nio.file.Path p : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
        try {
          if (java.nio.file.Files.readSymbolicLink(p.resolve("ns/net")).toString().equals("net:[" + inode + "]")) {
            holders.add(p.getFileName() + " " + java.nio.file.Files.readString(p.resolve("cmdline")).replace('\0', ' '));
          }
        } catch (IOException e) {
          // ended meanwhile
        }
      }
    }
    return holders;
  }

  @Test
  @DisplayName("a nat table that lost a rule since the driver wrote it: the delta fails as a whole, the table is read and restored in full, and reads back as rendered")
  void driftedNatIsRestoredInFull() throws IOException {
    SmallRouter r = new SmallRouter();
    HostRouters one = r.routers(true);
    HostState desiredOne = desired(r, one);
    HostState desiredTwo = desired(r, withFloatingIp(r, one, "192.168.61.20", "10.61.0.20"));
    try (RecordingShell recording = new RecordingShell(lab.shell())) {
      LinuxHost on = new LinuxHost("lab", CommandRunner.withPool(recording.shell(), 4), LinuxOptions.defaults());
      try {
        converge(on, desiredTwo);
        // Someone removes the DNAT of the floating IP that is about to go: the delta's -D of it fails.
        sh("ip", "netns", "exec", r.qrouter(), "iptables", "-t", "nat", "-D", Names.CHAIN_PREROUTING, "-d",
            "192.168.61.20/32", "-j", "DNAT", "--to-destination", "10.61.0.20");
        List<String> removed = executed(on, recording, Reconciler.diff(desiredOne, desiredTwo));
        assertThat(removed).filteredOn(c -> c.contains("iptables-save")).hasSize(1);
        assertThat(removed).filteredOn(c -> c.contains("iptables-restore")).hasSize(2);
        assertThat(natOf(r.qrouter())).isEqualTo(desiredOne.namespace(r.qrouter()).nat());
      } finally {
        on.close();
      }
    }
  }

  @Test
  @DisplayName("from an empty host each namespace costs at most two processes: its ip batch (carrying its sysctls and ethtool as netns exec lines) and its nat restore; sysctls and offloads are set")
  void twoProcessesPerNamespace() throws IOException {
    SmallRouter r = new SmallRouter();
    HostState desired = desired(r, r.routers(true));
    Plan plan = Reconciler.diff(desired, host.observe());
    List<String> commands = recorded(plan);
    HostState observed = host.observe();
    assertThat(Reconciler.diff(desired, observed).operations()).isEmpty();
    List<String> namespaces = SmallRouter.namespacesOf(r);
    for (String ns : namespaces) {
      assertThat(commands).as(ns).filteredOn(c -> c.contains(ns)).hasSizeLessThanOrEqualTo(2);
      desired.namespace(ns).sysctls().forEach((k, v) -> assertThat(observed.namespace(ns).sysctls()).containsEntry(k, v));
    }
    assertThat(commands).noneMatch(c -> c.contains(" sysctl ") || c.contains(" ethtool "));
    long others = commands.stream().filter(c -> namespaces.stream().noneMatch(c::contains)).count();
    // The host batch, the OVS transaction and the flow bundles (one per bridge).
    assertThat(others).isEqualTo(1 + 1 + commands.stream().filter(c -> c.startsWith("ovs-ofctl")).count());
    String dev = desired.namespace(r.qrouter()).devices().keySet().stream().filter(d -> d.startsWith(Names.QR))
        .findFirst().orElseThrow();
    assertThat(sh("ip", "netns", "exec", r.qrouter(), "ethtool", "-k", dev)).contains("tx-checksumming: off");
  }

  @Test
  @DisplayName("a plan's gratuitous ARPs count as pending from the plan's end until the last has been sent (tests that count processes wait for them)")
  void announcementsArePendingUntilSent() {
    SmallRouter r = new SmallRouter();
    converge(host, desired(r, r.routers(true)));
    // The SNAT addresses' last round goes out 0.3 s after the plan, each arping taking up to a second.
    assertThat(host.announcementsPending()).isPositive();
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
    while (host.announcementsPending() > 0) {
      assertThat(System.nanoTime()).as("gratuitous ARPs still running after 15 s").isLessThan(deadline);
      java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
    }
    long processes = runner.processesStarted();
    assertThat(host.announcementsPending()).isZero();
    assertThat(runner.processesStarted()).isEqualTo(processes);
  }

  @Test
  @DisplayName("an HA standby made by one plan and promoted by the next, never read back in between (as the pipeline does): br-ex holds the qg- MAC as a static entry; demoted, the entry goes")
  void promotedStandbyPinsTheGatewayMac() {
    SmallRouter r = new SmallRouter();
    HostState standby = desired(r, ha(r, HaState.HA_STATE_STANDBY));
    HostState active = desired(r, ha(r, HaState.HA_STATE_ACTIVE));
    converge(host, standby);
    String mac = r.gateway.getMacAddress();
    // A driver that has not read the host since the standby was made, as after a full apply.
    LinuxHost promoting = new LinuxHost("lab", CommandRunner.withPool(lab.shell(), 2), LinuxOptions.defaults());
    try {
      promoting.execute(Reconciler.diff(active, standby));
      String fdb = sh("ovs-appctl", "fdb/show", Names.BR_EX);
      System.out.println("br-ex after the promotion:\n" + fdb);
      assertThat(fdb.lines()).as("br-ex's MAC table").anyMatch(l -> l.contains(mac) && l.contains("static"));
      promoting.execute(Reconciler.diff(standby, active));
      assertThat(sh("ovs-appctl", "fdb/show", Names.BR_EX).lines()).as("demoted").noneMatch(l -> l.contains(mac)
          && l.contains("static"));
    } finally {
      promoting.close();
    }
  }

  @Test
  @DisplayName("an agent started on a host that already holds an HA router's gateway address (restarted), or one whose ovs-vswitchd lost its MAC table, pins the MAC again at its next full reading of the host")
  void restartedAgentPinsAgain() {
    SmallRouter r = new SmallRouter();
    converge(host, desired(r, ha(r, HaState.HA_STATE_ACTIVE)));
    String mac = r.gateway.getMacAddress();
    sh("ovs-appctl", "fdb/del", Names.BR_EX, "0", mac); // what a restart of ovs-vswitchd leaves
    assertThat(sh("ovs-appctl", "fdb/show", Names.BR_EX).lines()).noneMatch(l -> l.contains(mac) && l.contains("static"));
    LinuxHost restarted = new LinuxHost("lab", CommandRunner.withPool(lab.shell(), 2), LinuxOptions.defaults());
    try {
      restarted.observe();
      assertThat(sh("ovs-appctl", "fdb/show", Names.BR_EX).lines()).as("br-ex's MAC table")
          .anyMatch(l -> l.contains(mac) && l.contains("static"));
      // ovs-vswitchd restarted under a running agent: the next full reading pins it again.
      sh("ovs-appctl", "fdb/del", Names.BR_EX, "0", mac);
      restarted.observe();
      assertThat(sh("ovs-appctl", "fdb/show", Names.BR_EX).lines()).as("br-ex's MAC table after a second reading")
          .anyMatch(l -> l.contains(mac) && l.contains("static"));
    } finally {
      restarted.close();
    }
  }

  private static HostRouters ha(SmallRouter r, HaState role) {
    HostRouters routers = r.routers(false);
    return routers.toBuilder().setRouters(0, routers.getRouters(0).toBuilder().setHa(true).setHaState(role)).build();
  }

  /** Executes the plan on a runner that records each command it starts. */
  private static List<String> recorded(Plan plan) throws IOException {
    try (RecordingShell recording = new RecordingShell(lab.shell())) {
      LinuxHost on = new LinuxHost("lab", CommandRunner.withPool(recording.shell(), 4), LinuxOptions.defaults());
      try {
        on.execute(plan);
        return recording.commands();
      } finally {
        on.close();
      }
    }
  }

  @Test
  @DisplayName("a namespace file with no namespace mounted on it (left by a kill -9) is removed and the namespace created again; a foreign one is left and not listed")
  void deadNamespaceFileIsReplaced() {
    SmallRouter r = new SmallRouter();
    HostState desired = desired(r, r.routers(true));
    // What a container's layer keeps of /run/netns after a kill -9: empty files, no mounts.
    sh("touch", "/run/netns/" + r.qrouter(), "/run/netns/foreign-dead");
    try {
      converge(host, desired);
      HostState observed = host.observe();
      assertThat(Reconciler.diff(desired, observed).operations()).isEmpty();
      assertThat(observed.namespaces()).containsKey(r.qrouter()).doesNotContainKey("foreign-dead");
      assertThat(NamespaceFiles.mounted(sh("cat", "/proc/self/mountinfo"))).contains(r.qrouter());
      assertThat(sh("ip", "-n", r.qrouter(), "-br", "link", "show", "dev", "lo")).startsWith("lo");
      assertThat(runner.exec(Command.of("test", "-f", "/run/netns/foreign-dead")).ok()).as("foreign file kept").isTrue();
    } finally {
      sh("rm", "-f", "/run/netns/foreign-dead");
    }
  }

  @Test
  @DisplayName("some namespaces read alone are what reading the whole host gives for them, veth peers named across")
  void someNamespacesAlone() {
    SmallRouter r = new SmallRouter();
    converge(host, desired(r, r.routers(true)));
    HostState whole = host.observe();
    SortedMap<String, NamespaceState> some = host.observeNamespaces(Set.of(r.qrouter(), "qrouter-no-such-router"));
    assertThat(some).containsOnlyKeys(r.qrouter());
    assertThat(some.get(r.qrouter())).isEqualTo(whole.namespace(r.qrouter()));
    // The rfp- end's peer lives in fip-, which was not asked for: it is read to name the peer.
    assertThat(some.get(r.qrouter()).devices().values())
        .anyMatch(d -> d.kind() == DeviceKind.VETH && d.peerNamespace().equals(r.fipNs()) && !d.peer().isEmpty());
  }

  /** The observed namespace holds everything desired; the rest is the kernel's own (lo, sysctls read, MACs). */
  private static Object desiredWithKernelExtras(HostState desired, HostState observed, String ns) {
    var want = desired.namespace(ns);
    var have = observed.namespace(ns);
    assertThat(have.rules()).isEqualTo(want.rules());
    assertThat(have.routes()).isEqualTo(want.routes());
    assertThat(have.neighbours()).isEqualTo(want.neighbours());
    assertThat(have.nat()).isEqualTo(want.nat());
    want.devices().forEach((name, d) -> {
      assertThat(have.devices()).containsKey(name);
      assertThat(have.devices().get(name).sameLink(d)).as(name).isTrue();
      assertThat(have.devices().get(name).addresses()).as(name).isEqualTo(d.addresses());
    });
    want.sysctls().forEach((k, v) -> assertThat(have.sysctls()).containsEntry(k, v));
    return have;
  }

  @Test
  @DisplayName("the kernel's ip rule, ip route, ip neigh and iptables -t nat -S print the memory driver's lines")
  void listingsMatchTheMemoryDriver() {
    SmallRouter r = new SmallRouter();
    HostState desired = desired(r, r.routers(true));
    converge(host, desired);
    MemoryHost memory = new MemoryHost("lab");
    memory.execute(Reconciler.diff(desired, memory.observe()));
    for (String ns : SmallRouter.namespacesOf(r)) {
      assertThat(sh("ip", "-n", ns, "rule")).as(ns + " ip rule").isEqualTo(memory.ipRule(ns));
      assertThat(trimmed(sh("ip", "-n", ns, "route"))).as(ns + " ip route").isEqualTo(memory.ipRoute(ns));
      // The kernel lists neighbours in hash order, the memory driver by address: same lines.
      assertThat(trimmed(sh("ip", "-n", ns, "neigh")).lines().sorted().toList()).as(ns + " ip neigh")
          .isEqualTo(memory.ipNeigh(ns).lines().sorted().toList());
      assertThat(sh("ip", "netns", "exec", ns, "iptables", "-t", "nat", "-S")).as(ns + " iptables")
          .isEqualTo(memory.iptablesNat(ns));
    }
    assertThat(trimmed(sh("ip", "-n", r.qrouter(), "route", "list", "table", "16")))
        .isEqualTo(memory.ipRoute(r.qrouter(), Names.FIP_TABLE));
    long subnetTable = Names.subnetIndex(r.ifA.getIpAddress());
    assertThat(trimmed(sh("ip", "-n", r.qrouter(), "route", "list", "table", Long.toString(subnetTable))))
        .isEqualTo(memory.ipRoute(r.qrouter(), subnetTable));
  }

  @Test
  @DisplayName("applying the same desired state again runs zero operations")
  void secondApplyRunsNothing() {
    SmallRouter r = new SmallRouter();
    HostState desired = desired(r, r.routers(true));
    converge(host, desired);
    assertThat(converge(host, desired).size()).isZero();
  }

  @Test
  @DisplayName("a foreign namespace, device, rule, nat chain and flow survive a change that rewrites our nat and rules")
  void foreignObjectsAreLeftAlone() {
    SmallRouter r = new SmallRouter();
    converge(host, desired(r, r.routers(true)));
    String other = "other-" + r.routerId.substring(0, 8);
    String qrouter = r.qrouter();
    sh("ip", "netns", "add", other);
    try {
      // This kernel has no dummy devices: foreign devices are veth pairs.
      sh("ip", "-n", other, "link", "add", "qr-foreign0", "type", "veth", "peer", "name", "qr-foreign1");
      sh("ip", "-n", qrouter, "link", "add", "eth9", "type", "veth", "peer", "name", "eth10");
      sh("ip", "-n", qrouter, "rule", "add", "from", "10.9.9.9", "lookup", "100", "priority", "500");
      runner.run(Command.of("ip", "netns", "exec", qrouter, "iptables-restore", "-n").withStdin(
          "*nat\n:FOREIGN - [0:0]\n-A POSTROUTING -j FOREIGN\n-A FOREIGN -d 1.2.3.4/32 -j ACCEPT\nCOMMIT\n"));
      sh("ovs-ofctl", "-O", "OpenFlow13", "add-flow", "br-int", "cookie=0x1234,table=30,priority=5,actions=drop");

      HostState withoutFip = desired(r, r.routers(false));
      Plan plan = converge(host, withoutFip);
      assertThat(plan.operations()).anyMatch(op -> op instanceof Operation.ReplaceNat);
      assertThat(Reconciler.diff(withoutFip, host.observe()).operations()).isEmpty();

      assertThat(sh("ip", "netns", "list")).contains(other).doesNotContain(r.fipNs());
      assertThat(sh("ip", "-n", other, "link")).contains("qr-foreign0");
      assertThat(sh("ip", "-n", qrouter, "link")).contains("eth9").doesNotContain("rfp-");
      assertThat(sh("ip", "-n", qrouter, "rule")).contains("500:\tfrom 10.9.9.9 lookup 100").doesNotContain("lookup 16");
      assertThat(sh("ip", "netns", "exec", qrouter, "iptables", "-t", "nat", "-S"))
          .contains("-A POSTROUTING -j FOREIGN", "-A FOREIGN -d 1.2.3.4/32 -j ACCEPT",
              "-A POSTROUTING -j neutron-postrouting-bottom")
          .doesNotContain("192.168.61.112");
      assertThat(sh("ovs-ofctl", "-O", "OpenFlow13", "dump-flows", "br-int")).contains("cookie=0x1234");
    } finally {
      sh("ip", "netns", "del", other);
      sh("ovs-ofctl", "-O", "OpenFlow13", "del-flows", "br-int", "cookie=0x1234/-1");
    }
  }

  @Test
  @DisplayName("a stale qr- device and a router port no longer wanted are removed, its OVS port with it")
  void staleDevicesAreRemoved() {
    SmallRouter r = new SmallRouter();
    converge(host, desired(r, r.routers(true)));
    String stale = "qr-deadbeef-00";
    // The peer stays in the host's own namespace: Operation.DeleteDevice cannot name one namespace twice.
    sh("ip", "link", "add", "xdeadbeef", "type", "veth", "peer", "name", stale, "netns", r.qrouter());
    HostRouters withoutB = r.routers(true).toBuilder().setRouters(0, r.router(true).removeInterfaces(1)).build();
    HostState desired = desired(r, withoutB);
    String qrB = Names.qrDevice(r.ifB.getPortId());
    Plan plan = converge(host, desired);
    assertThat(plan.operations()).contains(new Operation.DeleteDevice(r.qrouter(), stale, ""),
        new Operation.DeleteDevice(r.qrouter(), qrB, ""));
    assertThat(Reconciler.diff(desired, host.observe()).operations()).isEmpty();
    assertThat(sh("ip", "-n", r.qrouter(), "link")).doesNotContain(stale).doesNotContain(qrB);
    assertThat(sh("ip", "link")).doesNotContain("xdeadbeef");
    assertThat(sh("ovs-vsctl", "list-ports", "br-int")).doesNotContain(PlugMode.hostEnd(qrB))
        .contains(PlugMode.hostEnd(Names.qrDevice(r.ifA.getPortId())));
  }

  @Test
  @DisplayName("with OVS internal ports instead of veths the router converges too, and deleting it leaves no port")
  void internalPortsConverge() {
    LinuxHost internal = new LinuxHost("lab", runner, LinuxOptions.defaults().withPlug(PlugMode.INTERNAL));
    SmallRouter r = new SmallRouter();
    HostState desired = desired(r, r.routers(true));
    converge(internal, desired);
    assertThat(Reconciler.diff(desired, internal.observe()).operations()).isEmpty();
    assertThat(converge(internal, desired).size()).isZero();
    String qrA = Names.qrDevice(r.ifA.getPortId());
    assertThat(sh("ovs-vsctl", "get", "Interface", qrA, "type")).isEqualTo("internal\n");
    internal.execute(Reconciler.diff(emptyBridges(), internal.observe()));
    assertThat(sh("ovs-vsctl", "list-ports", "br-int")).doesNotContain(qrA);
  }

  @Test
  @DisplayName("with OVS internal ports a miswired device is re-created and its new port stays on the bridge")
  void internalPortRecreated() {
    LinuxHost internal = new LinuxHost("lab", runner, LinuxOptions.defaults().withPlug(PlugMode.INTERNAL));
    SmallRouter r = new SmallRouter();
    HostState desired = desired(r, r.routers(true));
    converge(internal, desired);
    String qrA = Names.qrDevice(r.ifA.getPortId());
    // Someone replaced the router port by a device of another kind under the same name.
    sh("ovs-vsctl", "del-port", "br-int", qrA);
    sh("ip", "-n", r.qrouter(), "link", "add", qrA, "type", "bridge");
    Plan plan = converge(internal, desired);
    assertThat(plan.operations()).contains(new Operation.DeleteDevice(r.qrouter(), qrA, ""));
    assertThat(sh("ovs-vsctl", "list-ports", "br-int")).contains(qrA);
    assertThat(sh("ovs-vsctl", "get", "Interface", qrA, "type")).isEqualTo("internal\n");
    assertThat(Reconciler.diff(desired, internal.observe()).operations()).isEmpty();
  }

  @Test
  @DisplayName("a failing operation reports the command line, exit code, stderr and the batch lines around it")
  void failuresCarryTheCommand() {
    SmallRouter r = new SmallRouter();
    converge(host, desired(r, r.routers(false)));
    Plan bad = new Plan(List.of(
        new Operation.ReplaceNeighbour(r.qrouter(), new io.dvr.agent.model.Neighbour("10.61.0.77",
            Names.qrDevice(r.ifA.getPortId()), "fa:16:3e:00:00:77")),
        new Operation.ReplaceRoute(r.qrouter(), Route.via(Route.MAIN_TABLE, IpPrefix.parse("10.99.0.0/16"), "10.61.0.9",
            "qr-missing-000"))));
    assertThatThrownBy(() -> host.execute(bad)).isInstanceOf(CommandFailedException.class)
        .hasMessageContaining("ip -n " + r.qrouter()).hasMessageContaining("-batch -").hasMessageContaining("-force")
        .hasMessageContaining("Cannot find device")
        .hasMessageContaining("> 2: route replace 10.99.0.0/16 via 10.61.0.9 dev qr-missing-000")
        .satisfies(e -> assertThat(((CommandFailedException) e).exitCode()).isNotZero());
  }
}

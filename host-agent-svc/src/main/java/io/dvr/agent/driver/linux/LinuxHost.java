package io.dvr.agent.driver.linux;

import io.dvr.agent.driver.HostDriver;
import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.reconcile.Operation;
import io.dvr.agent.reconcile.Plan;
import io.dvr.agent.render.Names;
import io.dvr.common.config.Settings;
import io.vertx.core.json.JsonArray;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real host, the Linux driver: executes plans and reads its state back, through a {@link
 * CommandRunner} (which says where commands run and bounds how many run at once). After a plan it
 * announces the SNAT addresses the plan claimed and the floating IPs it routed (gratuitous ARP,
 * best effort, off the apply). Blocking:
 * call it from a worker thread, never from the runner's own pool.
 */
public final class LinuxHost implements HostDriver {
  private static final Logger LOG = LoggerFactory.getLogger(LinuxHost.class);

  private final String host;
  private final CommandRunner runner;
  private final LinuxOptions options;
  private final OperationCompiler compiler;
  private final LaneRunner lanes;
  /** For plans that make or delete devices: every ip batch its own process (ip keeps device indexes by name). */
  private final LaneRunner oneShotLanes;
  private final KernelReader reader;
  /** The bridges' ports: over ovsdb-server's socket when configured, else a process. */
  private final PortReader ports;
  /** The flow bundles: over each bridge's OpenFlow connection when configured, else a process. */
  private final FlowInstaller flows;
  private final LinuxListings listings;
  /** Announcements scheduled and not yet run to their end (tests wait for none before counting processes). */
  private final AtomicInteger announcing = new AtomicInteger();
  /** Gratuitous ARPs go out here, two at a time, so that their second each never holds up an apply. */
  private final ExecutorService announcer = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
      new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "dvr-garp");
        t.setDaemon(true);
        return t;
      }) {
    @Override
    public void execute(Runnable task) {
      announcing.incrementAndGet();
      try {
        super.execute(task);
      } catch (RejectedExecutionException e) {
        announcing.decrementAndGet();
        throw e;
      }
    }

    @Override
    protected void afterExecute(Runnable task, Throwable failure) {
      announcing.decrementAndGet();
    }
  };
  /**
   * Claimed SNAT addresses are announced here, apart from the floating IPs (a bulk of those must not
   * delay a failover's announcements). An arping holds its thread about a second, so the three
   * rounds (0, 100 and 300 ms) of a router with up to three subnets (four addresses) need twelve
   * threads to go out on time; with fewer, the later rounds wait a second for a thread.
   */
  private final ScheduledThreadPoolExecutor snatAnnouncer = new ScheduledThreadPoolExecutor(12, r -> {
    Thread t = new Thread(r, "dvr-garp-snat");
    t.setDaemon(true);
    return t;
  }) {
    @Override
    protected <V> RunnableScheduledFuture<V> decorateTask(Runnable task, RunnableScheduledFuture<V> future) {
      announcing.incrementAndGet();
      return future;
    }

    @Override
    protected void afterExecute(Runnable task, Throwable failure) {
      announcing.decrementAndGet();
    }
  };
  /** Set once by {@link #watch}. */
  private final AtomicReference<OvsPortMonitor> monitor = new AtomicReference<>();
  /** Set once by {@link #watchSwitch}. */
  private final AtomicReference<SwitchCanary> canary = new AtomicReference<>();
  /** How often br-int's canary flow is looked for ({@code linux.ovs-canary-ms}; 0: never). */
  private volatile long canaryMillis = 2000;
  /** What the last observe read: where a plan's announcements find the fg- device it did not make. */
  private volatile HostState lastObserved = HostState.EMPTY;

  /** Our nat chains of each namespace as last written or read: floating-IP changes restore only a delta. */
  private final KnownNat knownNat = new KnownNat();

  /** Per namespace a long-lived ip session for small batches; null when off. */
  private final IpSessions sessions;

  /** Per namespace a long-lived iptables-restore for floating IPs' nat deltas; null when off (with ip sessions). */
  private final NatSessions natSessions;

  /** A host whose small ip batches go through long-lived sessions ({@link IpSessions}). */
  public LinuxHost(String host, CommandRunner runner, LinuxOptions options) {
    this(host, runner, options, true);
  }

  /** {@code ipSessions} false: every ip batch and nat restore is its own process, as before sessions. */
  public LinuxHost(String host, CommandRunner runner, LinuxOptions options, boolean ipSessions) {
    this(host, runner, options, ipSessions, null);
  }

  /**
   * {@code ovsdbSocket}: the unix socket of the host's ovsdb-server, as this process reaches it;
   * the ports are then read (and VM ports tagged) over one long-lived session instead of an
   * {@code ovs-vsctl} process each time, falling back to the process while the socket does not
   * answer. Null: always the process.
   */
  public LinuxHost(String host, CommandRunner runner, LinuxOptions options, boolean ipSessions, Path ovsdbSocket) {
    this(host, runner, options, ipSessions, ovsdbSocket, null);
  }

  /**
   * {@code ovsRunDir}: ovs-vswitchd's run directory as this process reaches it, where each bridge
   * has its management socket {@code BRIDGE.mgmt}; a plan's flow bundle for a bridge then goes over
   * one long-lived OpenFlow connection to it instead of an {@code ovs-ofctl} process, falling back
   * to the process while the socket does not answer or for a flow the encoder does not know.
   * Null: always the process.
   */
  public LinuxHost(String host, CommandRunner runner, LinuxOptions options, boolean ipSessions, Path ovsdbSocket,
      Path ovsRunDir) {
    this.host = host;
    this.runner = runner;
    this.options = options;
    this.sessions = ipSessions ? new IpSessions(runner.shell(), options.timeout(), IpSessions.MAX_SESSIONS) : null;
    this.natSessions = ipSessions ? new NatSessions(runner.shell(), options.timeout(), NatSessions.MAX_SESSIONS) : null;
    this.compiler = new OperationCompiler(runner, options, knownNat, natSessions);
    this.flows = new FlowInstaller(host, runner, options, ovsRunDir);
    this.lanes = new LaneRunner(runner, options, sessions, flows);
    this.oneShotLanes = new LaneRunner(runner, options, null, flows);
    this.ports = new PortReader(host, runner, ovsdbSocket == null ? null : new OvsdbSession(ovsdbSocket,
        options.timeout()));
    this.reader = new KernelReader(runner, options, ports);
    this.listings = new LinuxListings(runner, options);
  }

  /**
   * A host from settings: {@code linux.plug} (veth or internal), {@code linux.ovs} (true), {@code
   * linux.lanes} (4), {@code linux.command-timeout-ms} (30000), and {@code linux.lab-dir} with
   * {@code linux.lab-host} to drive a labnet host from outside it (empty: commands run where the
   * agent runs), {@code linux.ip-sessions} (true: small ip batches and floating IPs' nat deltas through
   * long-lived sessions per namespace), {@code linux.ovsdb-socket} (ovsdb-server's unix socket, read and written over one
   * session; default {@value #LOCAL_OVSDB_SOCKET}, or the lab host's; empty: ovs-vsctl processes only),
   * {@code linux.ovs-run-dir} (ovs-vswitchd's run directory, where each bridge's management socket
   * takes the plan's flow bundles over one OpenFlow connection; default {@value #LOCAL_OVS_RUN_DIR},
   * or the lab host's; empty: ovs-ofctl processes only).
   */
  public static LinuxHost fromSettings(Settings settings, String hostName) {
    String labDir = settings.get("linux.lab-dir", "");
    HostShell shell = labDir.isEmpty() ? HostShell.local()
        : HostShell.labHost(settings.get("linux.lab-host", hostName), labDir + "/ns");
    LinuxOptions options = LinuxOptions.defaults()
        .withPlug(PlugMode.valueOf(settings.get("linux.plug", "veth").toUpperCase()))
        .withLanes(settings.getInt("linux.lanes", 4));
    options = new LinuxOptions(options.plug(), settings.getBoolean("linux.ovs", true), options.bridges(), options.lanes(),
        Duration.ofMillis(settings.getLong("linux.command-timeout-ms", 30_000)));
    String socket = settings.get("linux.ovsdb-socket", labDir.isEmpty() ? LOCAL_OVSDB_SOCKET
        : labOvsdbSocket(labDir, settings.get("linux.lab-host", hostName)).toString());
    String runDir = settings.get("linux.ovs-run-dir", labDir.isEmpty() ? LOCAL_OVS_RUN_DIR
        : labOvsRunDir(labDir, settings.get("linux.lab-host", hostName)).toString());
    LinuxHost linux = new LinuxHost(hostName, CommandRunner.withPool(shell, options.lanes()), options,
        settings.getBoolean("linux.ip-sessions", true), socket.isEmpty() ? null : Path.of(socket),
        runDir.isEmpty() ? null : Path.of(runDir));
    linux.canaryMillis = settings.getLong("linux.ovs-canary-ms", 2000);
    return linux;
  }

  /** Where Open vSwitch's packages put ovsdb-server's socket. */
  static final String LOCAL_OVSDB_SOCKET = "/run/openvswitch/db.sock";

  /**
   * A labnet host's ovsdb-server socket as seen from outside it: labnet binds the host's {@code
   * /run/openvswitch} from {@code LAB_DIR/hosts/HOST/run}, and a unix socket is reached by its path
   * from any network namespace.
   */
  static Path labOvsdbSocket(String labDir, String labHost) {
    return labOvsRunDir(labDir, labHost).resolve("db.sock");
  }

  /** Where Open vSwitch's packages run ovs-vswitchd: its bridges' management sockets are here. */
  static final String LOCAL_OVS_RUN_DIR = "/run/openvswitch";

  /** A labnet host's {@code /run/openvswitch} as seen from outside it (see {@link #labOvsdbSocket}). */
  static Path labOvsRunDir(String labDir, String labHost) {
    return Path.of(labDir, "hosts", Args.name(labHost), "run");
  }

  @Override
  public String host() {
    return host;
  }

  public CommandRunner runner() {
    return runner;
  }

  public LinuxOptions options() {
    return options;
  }

  @Override
  public Set<Class<? extends Operation>> handledOperations() {
    return compiler.handledOperations();
  }

  /**
   * Executes the plan: with batching, first the host's own ip lines that start the lanes (the
   * namespaces and veth pairs they make) as one {@code ip -batch}; then the lanes in parallel on the
   * runner's pool, each lane's operations in order; then (with batching) the OVS port changes of
   * the lanes in one ovs-vsctl transaction. Every lane runs to its end or first failure; the first
   * failure is thrown with the others attached as suppressed.
   */
  @Override
  public void execute(Plan plan) {
    if (plan.isEmpty()) {
      return;
    }
    LaneRunner by = forgetSessionsOf(plan) ? oneShotLanes : lanes;
    List<Plan.Lane> planLanes = plan.lanes();
    List<List<Action>> compiled = new ArrayList<>();
    for (Plan.Lane lane : planLanes) {
      compiled.add(new ArrayList<>(compiler.compile(lane.operations())));
    }
    List<String> ovs = new ArrayList<>();
    if (options.batch()) {
      // Each lane would run these first anyway, and lanes touch different namespaces: running them
      // all before the lanes keeps each lane's order and makes every namespace in one process.
      ovs.addAll(by.run(hostFirst(compiled)));
    }
    List<CompletableFuture<List<String>>> running = new ArrayList<>();
    for (int i = 0; i < compiled.size(); i++) {
      // With the host lines run first, a lane's namespaces depend on each other no more.
      List<List<Action>> parts = options.batch() && !removesDevices(planLanes.get(i))
          ? byNamespace(compiled.get(i)) : List.of(compiled.get(i));
      for (List<Action> actions : parts) {
        if (!actions.isEmpty()) {
          running.add(CompletableFuture.supplyAsync(() -> by.run(actions), runner.pool()));
        }
      }
    }
    RuntimeException first = null;
    for (CompletableFuture<List<String>> f : running) {
      try {
        ovs.addAll(join(f));
      } catch (RuntimeException e) {
        first = collect(first, e);
      }
    }
    // The OVS ports of the lanes that ran through, in one transaction (also when another lane failed).
    if (!ovs.isEmpty()) {
      try {
        ovsTransaction(ovs);
      } catch (RuntimeException e) {
        first = collect(first, e);
      }
    }
    if (!ovs.isEmpty() || writesSwitchDatabase(compiled)) {
      ports.wrote(); // also after a failure: part of it may have been committed
    }
    if (first != null) {
      LOG.warn("host {}: plan of {} operations failed: {}", host, plan.size(), first.getMessage());
      throw first;
    }
    if (options.ovs()) {
      GatewayFdb.apply(runner, options.plug(), GatewayFdb.pins(plan, lastObserved, this::kernelMac));
    }
    GratuitousArp.sendSnat(runner, GratuitousArp.snatAnnouncements(plan), snatAnnouncer);
    GratuitousArp.send(runner, GratuitousArp.announcements(plan, lastObserved), announcer);
  }

  /**
   * Whether these actions may change ovsdb-server's tables other than through the plan's
   * transaction: an {@code ovs-vsctl} run on its own (an internal port, or any without batching),
   * or a host-level step made when it runs (deleting a namespace takes its OVS ports). A deferred
   * step of one namespace writes its nat table alone.
   */
  static boolean writesSwitchDatabase(List<List<Action>> lanes) {
    return lanes.stream().flatMap(List::stream).anyMatch(a -> a instanceof Action.Vsctl
        || a instanceof Action.Deferred d && d.namespace().isEmpty()
        || a instanceof Action.Exec e && e.command().argv().contains("ovs-vsctl"));
  }

  /**
   * The plan's OVS transaction: one that only sets VLAN tags (a port bound here) goes over the
   * session with ovsdb-server when there is one and it answers; anything else is one ovs-vsctl.
   */
  private void ovsTransaction(List<String> commands) {
    OvsdbSession session = ports.session();
    Optional<Map<String, Integer>> tags = session == null ? Optional.empty() : OvsdbTags.of(commands);
    if (tags.isPresent()) {
      try {
        OvsdbTags.apply(session, tags.get(), options.timeout().toMillis());
        return;
      } catch (OvsdbSession.OvsdbUnavailableException e) {
        // Not reached, or no answer in time: the same transaction as a process (setting a tag again changes nothing).
        LOG.debug("host {}: tagging over ovsdb-server failed ({}); with ovs-vsctl", host, e.getMessage());
      }
    }
    LaneRunner.vsctl(runner, options, commands);
  }

  /**
   * Takes from the front of each lane its leading host ip lines (and the ovs-vsctl commands among
   * them, which only go to the plan's transaction); returns them in lane order.
   */
  static List<Action> hostFirst(List<List<Action>> lanes) {
    List<Action> first = new ArrayList<>();
    for (List<Action> lane : lanes) {
      int n = 0;
      while (n < lane.size() && (lane.get(n) instanceof Action.Ip ip && ip.namespace().isEmpty()
          || lane.get(n) instanceof Action.Vsctl)) {
        n++;
      }
      first.addAll(lane.subList(0, n));
      lane.subList(0, n).clear();
    }
    return first;
  }

  /**
   * A lane's actions after its host lines, split by the namespace each touches (each part in lane
   * order): the namespaces of a lane are joined only by the veth pairs the host lines made, so
   * the parts can run at once (a fip- and its qrouter-s, each qrouter- of a network node). A
   * namespace's nat restore is a part of its own (iptables rules name devices, they need none to
   * exist), and so are the host actions left (flow bundles, OVS commands). The lane stays whole when an
   * action reaches beyond its namespace: a host ip line or command among them, or a deferred step
   * of several namespaces.
   */
  static List<List<Action>> byNamespace(List<Action> lane) {
    Map<String, List<Action>> parts = new java.util.LinkedHashMap<>();
    for (Action a : lane) {
      String ns;
      if (a instanceof Action.Ip ip && !ip.namespace().isEmpty()) {
        ns = ip.namespace();
      } else if (a instanceof Action.Deferred d && !d.namespace().isEmpty()) {
        ns = "nat " + d.namespace(); // netfilter only: beside the namespace's ip batch, which it needs nothing of
      } else if (a instanceof Action.Exec e && inNamespace(e.command()) != null) {
        ns = inNamespace(e.command());
      } else if (a instanceof Action.Vsctl || a instanceof Action.Flows
          || a instanceof Action.Exec e && isFlowBundle(e.command())) {
        ns = "";
      } else {
        return List.of(lane);
      }
      parts.computeIfAbsent(ns, k -> new ArrayList<>()).add(a);
    }
    return List.copyOf(parts.values());
  }

  /** The namespace of an {@code ip netns exec NS ...} command; null for any other. */
  private static String inNamespace(Command c) {
    List<String> argv = c.argv();
    return argv.size() > 4 && argv.get(0).equals("ip") && argv.get(1).equals("netns") && argv.get(2).equals("exec")
        ? argv.get(3) : null;
  }

  private static boolean isFlowBundle(Command c) {
    return c.argv().get(0).equals("ovs-ofctl");
  }

  /** Deleting a veth removes its peer in another namespace: such a lane keeps its order across namespaces. */
  private static boolean removesDevices(Plan.Lane lane) {
    return lane.operations().stream().anyMatch(op -> op instanceof Operation.DeleteDevice
        || op instanceof Operation.DeleteNamespace);
  }

  /**
   * A session holds the namespace it started in, and ip remembers each device's index by name for
   * as long as it runs: a namespace the plan makes or deletes, or where it makes or deletes a
   * device (a device made anew under the same name has a new index), gets a new session after;
   * such a plan runs every ip batch as its own process. Returns whether the plan is one of those.
   */
  private boolean forgetSessionsOf(Plan plan) {
    boolean devices = false;
    for (Operation op : plan.operations()) {
      if (op instanceof Operation.CreateNamespace || op instanceof Operation.DeleteNamespace) {
        devices = true;
        forget(op.namespace());
        if (natSessions != null) {
          natSessions.forget(op.namespace()); // its processes would hold a deleted namespace alive
        }
      } else if (op instanceof Operation.CreateInternalPort) {
        devices = true;
        forget(op.namespace());
      } else if (op instanceof Operation.CreateVethPair v) {
        devices = true;
        forget(v.namespace());
        forget(v.peerNamespace());
      } else if (op instanceof Operation.DeleteDevice d) {
        devices = true;
        forget(d.namespace());
        forget(d.peerNamespace());
      }
    }
    return devices;
  }

  private void forget(String namespace) {
    if (sessions != null) {
      sessions.forget(namespace);
    }
  }

  /** Gratuitous ARPs scheduled or being sent: their processes count in the runner's while they run. */
  int announcementsPending() {
    return announcing.get();
  }

  /** Lines run through long-lived ip sessions so far (0 when they are off). */
  public long ipSessionLines() {
    return sessions == null ? 0 : sessions.linesRun();
  }

  /** Reads of the bridges' ports that took a transaction or a process (not the replica) so far. */
  public long portReadsOutsideTheReplica() {
    return ports.readsOutsideTheReplica();
  }

  /** Whether the ports' replica kept from ovsdb-server's monitor is synced (false without a socket). */
  public boolean portsReplicaSynced() {
    return ports.replica() != null && ports.replica().synced();
  }

  /** Flow bundles committed over OpenFlow connections so far (0 when they are off). */
  public long flowBundlesOverOpenFlow() {
    return flows.bundlesOverOpenFlow();
  }

  /** Nat deltas committed through long-lived sessions so far, and sessions started (0 when they are off). */
  public long natSessionBlocks() {
    return natSessions == null ? 0 : natSessions.blocksRun();
  }

  public long natSessionsStarted() {
    return natSessions == null ? 0 : natSessions.sessionsStarted();
  }

  /** Ip sessions started so far (0 when they are off). */
  public long ipSessionsStarted() {
    return sessions == null ? 0 : sessions.sessionsStarted();
  }

  /** Batches before which an ip session was asked which namespace it holds (a round trip each). */
  public long ipSessionsAsked() {
    return sessions == null ? 0 : sessions.namespacesAsked();
  }

  private static RuntimeException collect(RuntimeException first, RuntimeException e) {
    if (first == null) {
      return e;
    }
    first.addSuppressed(e);
    return first;
  }

  /** The host's state: namespaces (ours in full), every bridge's ports, the flows of the configured bridges. */
  @Override
  public HostState observe() {
    HostState observed = reader.observe();
    knownNat.readAll(observed.namespaces());
    lastObserved = observed;
    // Gateway addresses held without their br-ex pin (an agent or ovs-vswitchd restarted): pinned again.
    if (options.ovs()) {
      List<GatewayFdb.Pin> held = GatewayFdb.held(observed);
      if (!held.isEmpty()) {
        CommandResult fdb = runner.exec(Command.of("ovs-appctl", "fdb/show", Names.BR_EX).withTimeout(options.timeout()));
        GatewayFdb.apply(runner, options.plug(), fdb.ok() ? GatewayFdb.missing(held, fdb.stdout()) : held);
      }
    }
    return observed;
  }

  /** The named namespaces alone (and their veth peers' namespaces, read to name the peers). */
  @Override
  public SortedMap<String, NamespaceState> observeNamespaces(Set<String> names) {
    SortedMap<String, NamespaceState> seen = reader.observe(names);
    knownNat.read(names, seen);
    // What announcements look up (a fip- namespace's fg- device) follows the namespaces read.
    HostState before = lastObserved;
    Map<String, NamespaceState> namespaces = new TreeMap<>(before.namespaces());
    namespaces.keySet().removeAll(names);
    namespaces.putAll(seen);
    lastObserved = HostState.of(namespaces, before.bridges());
    return seen;
  }

  /**
   * The bridges' ports with everything committed before: from the replica ovsdb-server's monitor
   * keeps (after one echo), or one transaction over its socket, or one ovs-vsctl.
   */
  @Override
  public SortedMap<String, BridgeState> observePorts() {
    return options.ovs() ? ports.read().bridges() : new TreeMap<>();
  }

  /** The bridges' ports as the replica holds them, with the agent's own writes: no round trip once synced. */
  @Override
  public SortedMap<String, BridgeState> reportedPorts() {
    return options.ovs() ? ports.reported().bridges() : new TreeMap<>();
  }

  @Override
  public Map<String, String> listing(String namespace) {
    // The sysctls as the agent reads them (the keys it manages), printed as sysctl prints them.
    return listings.sections(namespace, ns -> observeNamespaces(Set.of(ns)).getOrDefault(ns, NamespaceState.empty(ns)));
  }

  /**
   * Follows OVS's interfaces (when this driver drives OVS): VM ports plugged later are applied at
   * once. With ovsdb-server's socket the news comes from the ports' replica, after it holds the
   * change; without, from an {@code ovsdb-client monitor} process.
   */
  @Override
  public void watch(Runnable hostChanged) {
    if (!options.ovs()) {
      return;
    }
    if (ports.replica() != null) {
      ports.replica().onVmPortsMoved(hostChanged);
      ports.replica().start();
      return;
    }
    OvsPortMonitor m = new OvsPortMonitor(host, runner.shell(), hostChanged);
    if (monitor.compareAndSet(null, m)) {
      m.start();
    }
  }

  /**
   * Looks for br-int's canary flow every {@code linux.ovs-canary-ms} (when this driver drives OVS),
   * as Neutron's OVS agent does: gone after it was seen, Open vSwitch lost the flows.
   */
  @Override
  public void watchSwitch(Runnable flowsLost) {
    if (!options.ovs() || canaryMillis <= 0) {
      return;
    }
    SwitchCanary c = new SwitchCanary(host, runner, options.timeout(), flowsLost,
        () -> flows.flowsIn(Names.BR_INT, Names.INT_CANARY));
    if (canary.compareAndSet(null, c)) {
      c.start(canaryMillis);
    }
  }

  /** Stops the port monitor, the canary and the announcements, and releases the runner's pool and scratch directory. */
  @Override
  public void close() {
    OvsPortMonitor m = monitor.getAndSet(null);
    if (m != null) {
      m.close();
    }
    SwitchCanary c = canary.getAndSet(null);
    if (c != null) {
      c.close();
    }
    announcer.shutdownNow();
    if (sessions != null) {
      sessions.close();
    }
    if (natSessions != null) {
      natSessions.close();
    }
    if (ports.replica() != null) {
      ports.replica().close();
    }
    if (ports.session() != null) {
      ports.session().close();
    }
    flows.close();
    snatAnnouncer.shutdownNow();
    // An announcement already running still writes into the runner's scratch directory: let it end first.
    awaitQuietly(announcer);
    awaitQuietly(snatAnnouncer);
    runner.close();
  }

  private static void awaitQuietly(ExecutorService pool) {
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A device's MAC read from the kernel (one ip process); empty when it cannot be read. */
  private Optional<String> kernelMac(String namespace, String device) {
    try {
      CommandResult r = runner.exec(Command.of("ip", "-j", "-n", Args.name(namespace), "link", "show", "dev",
          Args.device(device)).withTimeout(options.timeout()));
      return r.ok() ? IpJson.links(new JsonArray(r.stdout())).stream().map(IpJson.Link::mac)
          .filter(mac -> !mac.isEmpty()).findFirst() : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Waits for a pool task and rethrows its failure as it was thrown. */
  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a command", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(cause);
    }
  }
}

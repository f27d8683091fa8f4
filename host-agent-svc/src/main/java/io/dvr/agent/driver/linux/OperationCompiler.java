package io.dvr.agent.driver.linux;

import static io.dvr.agent.driver.linux.Action.exec;
import static io.dvr.agent.driver.linux.Action.ip;

import io.dvr.agent.driver.OperationHandlers;
import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.IpRule;
import io.dvr.agent.model.Neighbour;
import io.dvr.agent.model.Route;
import io.dvr.agent.reconcile.Operation;
import io.dvr.agent.reconcile.Operation.AddAddress;
import io.dvr.agent.reconcile.Operation.AddFlows;
import io.dvr.agent.reconcile.Operation.AddRule;
import io.dvr.agent.reconcile.Operation.AddTunnelPort;
import io.dvr.agent.reconcile.Operation.CreateInternalPort;
import io.dvr.agent.reconcile.Operation.CreateNamespace;
import io.dvr.agent.reconcile.Operation.CreateVethPair;
import io.dvr.agent.reconcile.Operation.DeleteDevice;
import io.dvr.agent.reconcile.Operation.DeleteFlows;
import io.dvr.agent.reconcile.Operation.DeleteNamespace;
import io.dvr.agent.reconcile.Operation.DeleteTunnelPort;
import io.dvr.agent.reconcile.Operation.RemoveAddress;
import io.dvr.agent.reconcile.Operation.RemoveNeighbour;
import io.dvr.agent.reconcile.Operation.RemoveRoute;
import io.dvr.agent.reconcile.Operation.RemoveRule;
import io.dvr.agent.reconcile.Operation.ReplaceNat;
import io.dvr.agent.reconcile.Operation.ReplaceNeighbour;
import io.dvr.agent.reconcile.Operation.ReplaceRoute;
import io.dvr.agent.reconcile.Operation.SetLink;
import io.dvr.agent.reconcile.Operation.SetPortTag;
import io.dvr.agent.reconcile.Operation.SetSysctl;
import io.dvr.agent.render.Names;
import io.dvr.agent.model.NatTable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the operations of one lane into actions, in order. Each operation is safe to repeat: ip
 * uses replace where it has it, and "already so" answers of add and delete are tolerated. Every
 * operation kind has its handler in {@link #handlers}; OVS port changes (plugging, tags, tunnel
 * ports) become ovs-vsctl commands that go to the plan's one OVS transaction.
 */
final class OperationCompiler {
  static final String EXISTS = "File exists";
  static final String NO_FILE = "No such file or directory";
  static final String NO_DEVICE = "Cannot find device";
  static final String NO_ROUTE = "No such process";
  static final String NO_ADDRESS = "Cannot assign requested address";
  private static final List<String> PLUGGED = List.of(Names.QR, Names.SG, Names.QG, Names.FG);

  private static final Logger LOG = LoggerFactory.getLogger(OperationCompiler.class);

  private final CommandRunner runner;
  private final LinuxOptions options;
  private final KnownNat knownNat;
  /** Where a nat delta goes before a one-shot restore; null: always the one-shot restore. */
  private final NatSessions natSessions;
  private final OperationHandlers<Compilation> handlers;

  OperationCompiler(CommandRunner runner, LinuxOptions options) {
    this(runner, options, new KnownNat(), null);
  }

  OperationCompiler(CommandRunner runner, LinuxOptions options, KnownNat knownNat, NatSessions natSessions) {
    this.runner = runner;
    this.options = options;
    this.knownNat = knownNat;
    this.natSessions = natSessions;
    this.handlers = handlers();
  }

  /**
   * The actions of one lane being compiled: sysctls of a namespace gather into one call, flows into
   * bundles. With batching, what only needs its devices to exist (sysctls, ethtool) waits for the
   * lane's end, so that the ip lines of a namespace stay one batch; a namespace the lane creates has
   * its loopback set up with its first ip line and starts with an empty nat table.
   */
  private final class Compilation {
    final List<Action> out = new ArrayList<>();
    final Map<String, List<FlowMods.Change>> bundles = new LinkedHashMap<>();
    int bundlesAt = -1;
    String sysctlNamespace;
    List<String> sysctl;
    /** Namespaces this lane creates. */
    final Set<String> created = new HashSet<>();
    /** Namespaces created here whose loopback is not up yet: it goes up with their first ip line. */
    final Set<String> loopbackDown = new LinkedHashSet<>();
    /**
     * With batching, what runs at the lane's end in each namespace: its sysctls (one call) and its
     * ethtool calls, each a program's argv.
     */
    final Map<String, List<String>> lateSysctl = new LinkedHashMap<>();
    final Map<String, List<List<String>>> lateTools = new LinkedHashMap<>();

    void add(List<Action> actions) {
      flushSysctl();
      for (Action a : actions) {
        if (a instanceof Action.Ip ip && loopbackDown.remove(ip.namespace())) {
          out.add(loopbackUp(ip.namespace()));
        }
        out.add(a);
      }
    }

    void sysctl(SetSysctl s) {
      String key = Args.sysctlKey(s.key()) + "=" + Args.token(s.value());
      if (options.batch()) {
        lateSysctl.computeIfAbsent(s.namespace(), ns -> new ArrayList<>(List.of("sysctl", "-w", "-q"))).add(key);
        return;
      }
      flushSysctl();
      sysctlNamespace = s.namespace();
      sysctl = new ArrayList<>(netnsExec(s.namespace(), "sysctl", "-w", "-q"));
      sysctl.add(key);
      flushSysctl();
    }

    /** A program that only needs its device to exist, run in {@code ns}: at the lane's end with batching, at once without. */
    void late(String ns, List<String> argv) {
      if (options.batch()) {
        lateTools.computeIfAbsent(ns, k -> new ArrayList<>()).add(argv);
      } else {
        List<String> all = new ArrayList<>(netnsExec(ns));
        all.addAll(argv);
        add(List.of(exec(command(all))));
      }
    }

    void flow(String bridge, FlowMods.Change change) {
      flushSysctl();
      bundlesAt = bundlesAt < 0 ? out.size() : bundlesAt;
      bundles.computeIfAbsent(Args.name(bridge), k -> new ArrayList<>()).add(change);
    }

    void flushSysctl() {
      if (sysctl != null) {
        out.add(exec(command(sysctl)));
        sysctl = null;
      }
    }

    /**
     * What waited for the lane's end, now: before a removal (its device may be the one going) and at
     * the end. Each namespace's programs are {@code netns exec} lines of its own ip batch (ip forks
     * them with their argv, no shell), right after its last ip line, so that they cost no process of
     * their own and its nat restore still comes after its ip lines.
     */
    void flushLate() {
      flushSysctl();
      loopbackDown.forEach(ns -> out.add(loopbackUp(ns)));
      loopbackDown.clear();
      Map<String, List<List<String>>> programs = new LinkedHashMap<>();
      lateSysctl.forEach((ns, argv) -> programs.computeIfAbsent(ns, k -> new ArrayList<>()).add(argv));
      lateTools.forEach((ns, list) -> programs.computeIfAbsent(ns, k -> new ArrayList<>()).addAll(list));
      lateSysctl.clear();
      lateTools.clear();
      programs.forEach((ns, list) -> {
        int at = out.size();
        for (int i = out.size() - 1; i >= 0; i--) {
          if (out.get(i) instanceof Action.Ip ip && ip.namespace().equals(ns)) {
            at = i + 1;
            break;
          }
        }
        out.addAll(at, list.stream().map(argv -> inNamespace(ns, argv)).toList());
      });
    }
  }

  /** A program run in {@code ns} as a line of its ip batch: {@code netns exec NS argv...}. */
  private static Action.Ip inNamespace(String ns, List<String> argv) {
    List<String> words = new ArrayList<>(List.of("netns", "exec", Args.name(ns)));
    words.addAll(argv);
    return ip(ns, words);
  }

  private static Action.Ip loopbackUp(String ns) {
    return ip(ns, List.of("link", "set", "lo", "up"));
  }

  Set<Class<? extends Operation>> handledOperations() {
    return handlers.kinds();
  }

  List<Action> compile(List<Operation> ops) {
    Compilation c = new Compilation();
    byNamespace(ops).forEach(op -> handlers.handle(op, c));
    c.flushLate();
    // One atomic bundle per bridge; bridges are independent, so grouping keeps each bridge's order.
    List<Action> flows = new ArrayList<>();
    c.bundles.forEach((bridge, changes) -> {
      List<String> lines = changes.stream().map(FlowMods.Change::line).toList();
      if (options.batch()) {
        flows.add(new Action.Flows(bridge, changes, command(List.of("ovs-ofctl", "-O", "OpenFlow13", "--bundle",
            "add-flows", bridge, "-")).withStdin(String.join("\n", lines) + "\n")));
      } else {
        lines.forEach(line -> flows.add(exec(command(List.of("ovs-ofctl", "-O", "OpenFlow13", "add-flows", bridge, "-"))
            .withStdin(line + "\n"))));
      }
    });
    if (!flows.isEmpty()) {
      requireOvs("flows");
      c.out.addAll(c.bundlesAt, flows);
    }
    return c.out;
  }

  private OperationHandlers<Compilation> handlers() {
    return new OperationHandlers<Compilation>("the Linux driver")
        .on(CreateNamespace.class, (op, c) -> createNamespace(ns(op), c))
        .on(DeleteNamespace.class, (op, c) -> {
          c.flushLate();
          c.add(List.of(new Action.Deferred("delete namespace " + ns(op), "", () -> deleteNamespace(ns(op)))));
        })
        .on(CreateInternalPort.class, (op, c) -> plug(c, ns(op), Args.device(op.device()), Args.name(op.bridge())))
        .on(CreateVethPair.class, (op, c) -> c.add(List.of(vethPair(op))))
        .on(SetLink.class, (op, c) -> c.add(List.of(ip(ns(op), linkWords(op)))))
        .on(DeleteDevice.class, (op, c) -> {
          c.flushLate();
          c.add(deleteDevice(ns(op), Args.device(op.device()), op.peerNamespace()));
        })
        .on(AddAddress.class, (op, c) -> c.add(List.of(ip(ns(op), addressWords("replace", op.address(), op.device())))))
        .on(RemoveAddress.class, (op, c) -> c.add(List.of(ip(ns(op), List.of("addr", "del", op.address().toString(),
            "dev", Args.device(op.device())), NO_ADDRESS, NO_DEVICE))))
        .on(SetSysctl.class, (op, c) -> c.sysctl(op))
        .on(AddRule.class, (op, c) -> c.add(List.of(ip(ns(op), ruleWords("add", op.rule()), EXISTS))))
        .on(RemoveRule.class, (op, c) -> c.add(List.of(ip(ns(op), ruleWords("del", op.rule()), NO_FILE))))
        .on(ReplaceRoute.class, (op, c) -> c.add(List.of(ip(ns(op), routeWords(op.route())))))
        .on(RemoveRoute.class, (op, c) -> c.add(List.of(ip(ns(op), List.of("route", "del",
            op.route().destination().brief(), "table", Long.toString(op.route().table()), "dev",
            Args.device(op.route().dev())), NO_ROUTE, NO_DEVICE))))
        .on(ReplaceNeighbour.class, (op, c) -> {
          Neighbour nb = op.neighbour();
          c.add(List.of(ip(ns(op), List.of("neigh", "replace", Args.ip(nb.ip()), "lladdr", Args.mac(nb.mac()), "nud",
              "permanent", "dev", Args.device(nb.dev())))));
        })
        .on(RemoveNeighbour.class, (op, c) -> c.add(List.of(ip(ns(op), List.of("neigh", "del",
            Args.ip(op.neighbour().ip()), "dev", Args.device(op.neighbour().dev())), NO_FILE, NO_DEVICE))))
        .on(ReplaceNat.class, (op, c) -> {
          String ns = ns(op);
          boolean made = c.created.contains(ns);
          c.add(List.of(new Action.Deferred("nat of " + ns, ns, () -> nat(ns, made, op.ours()))));
        })
        .on(AddFlows.class, (op, c) -> op.flows().forEach(f -> c.flow(op.bridge(),
            new FlowMods.Change(FlowMods.Kind.ADD, f))))
        .on(DeleteFlows.class, (op, c) -> op.flows().forEach(f -> c.flow(op.bridge(),
            new FlowMods.Change(FlowMods.Kind.DELETE_STRICT, f))))
        .on(AddTunnelPort.class, (op, c) -> c.add(List.of(addTunnelPort(op))))
        .on(DeleteTunnelPort.class, (op, c) -> {
          requireOvs("removing tunnel port " + op.port());
          c.add(List.of(new Action.Vsctl(List.of("--", "--if-exists", "del-port", Args.name(op.bridge()),
              Args.name(op.port())))));
        })
        .on(SetPortTag.class, (op, c) -> {
          requireOvs("tagging " + op.port());
          c.add(List.of(new Action.Vsctl(List.of("--", "set", "Port", ovsPort(op), "tag=" + vlan(op.tag())))));
        });
  }

  /**
   * A lane's operations with each run of namespace-local settings (links, sysctls, addresses,
   * routes, rules, neighbours, nat) grouped by namespace, each namespace's in plan order. The plan
   * goes step by step over all namespaces; these steps touch only their own namespace, so grouping
   * them keeps what each namespace depends on and gives each namespace one ip batch.
   */
  static List<Operation> byNamespace(List<Operation> ops) {
    List<Operation> out = new ArrayList<>(ops.size());
    Map<String, List<Operation>> run = new LinkedHashMap<>();
    for (Operation op : ops) {
      if (LOCAL.contains(op.getClass())) {
        run.computeIfAbsent(op.namespace(), k -> new ArrayList<>()).add(op);
        continue;
      }
      run.values().forEach(out::addAll);
      run.clear();
      out.add(op);
    }
    run.values().forEach(out::addAll);
    return out;
  }

  /** Operations that change only their own namespace. */
  private static final Set<Class<? extends Operation>> LOCAL = Set.of(SetLink.class, SetSysctl.class, AddAddress.class,
      ReplaceRoute.class, AddRule.class, ReplaceNeighbour.class, ReplaceNat.class, RemoveNeighbour.class,
      RemoveRule.class, RemoveRoute.class, RemoveAddress.class);

  /**
   * Both ends made from the host, each in its namespace: a line of the host's ip batch, so that the
   * plan's first host batch makes it with the namespaces.
   */
  private static Action.Ip vethPair(CreateVethPair op) {
    List<String> words = new ArrayList<>(List.of("link", "add", Args.device(op.device())));
    if (!ns(op).isEmpty()) {
      words.addAll(List.of("netns", ns(op)));
    }
    words.addAll(List.of("type", "veth", "peer", "name", Args.device(op.peer()), "netns", Args.name(op.peerNamespace())));
    return ip("", words, EXISTS);
  }

  private static String ns(Operation op) {
    return op.namespace().isEmpty() ? "" : Args.name(op.namespace());
  }

  private static List<String> linkWords(SetLink s) {
    List<String> words = new ArrayList<>(List.of("link", "set", "dev", Args.device(s.device())));
    if (!s.mac().isEmpty()) {
      words.addAll(List.of("address", Args.mac(s.mac())));
    }
    words.addAll(List.of("mtu", Integer.toString(s.mtu()), "up"));
    return words;
  }

  /** The OVS port of a tag: the one plugging a device of ours (named by the plug mode), or a VM's by name. */
  private String ovsPort(SetPortTag t) {
    if (t.namespace().isEmpty()) {
      return Args.name(t.port());
    }
    return options.plug().ovsPort(t.port());
  }

  private static String vlan(int tag) {
    if (tag < Names.VLAN_FIRST || tag > Names.VLAN_LAST) {
      throw new IllegalArgumentException("VLAN tag " + tag + " is outside " + Names.VLAN_FIRST + ".." + Names.VLAN_LAST);
    }
    return Integer.toString(tag);
  }

  /** A tunnel port marked with its peer, so that the agent knows it may remove it. */
  private Action addTunnelPort(AddTunnelPort t) {
    requireOvs("adding tunnel port " + t.port());
    String name = Args.name(t.port());
    return new Action.Vsctl(List.of("--", "--may-exist", "add-port", Args.name(t.bridge()), name, "--", "set",
        "Interface", name, "type=" + Args.name(t.type()), "options:remote_ip=" + Args.ip(t.remoteIp()),
        "options:local_ip=" + Args.ip(t.localIp()), "options:in_key=flow", "options:out_key=flow",
        "external_ids:" + OvsPorts.PEER_KEY + "=" + Args.name(t.peerHost())));
  }

  /**
   * Our part of a namespace's nat table made {@code wanted}, with batching as one {@code
   * iptables-restore -n}: in a namespace this lane made, onto its empty table; where the driver knows
   * the table (it wrote or read it last), as a delta of the rules that differ, with no {@code
   * iptables-save} (through the namespace's {@link NatSessions session} when there is one); else,
   * or when the delta fails (the table drifted), read and restored in full.
   * Runs at once (the lane's step); returns the actions left to run (only without batching).
   */
  private List<Action> nat(String ns, boolean made, NatTable wanted) {
    if (!options.batch()) {
      knownNat.forget(ns);
      return perRule(ns, NatRestore.script(made ? NatTable.EMPTY : save(ns), wanted, Names::isOurChain));
    }
    Optional<String> delta = made ? Optional.empty()
        : knownNat.of(ns).flatMap(known -> NatRestore.delta(known, wanted, Names::isOurChain));
    if (delta.isPresent()) {
      CommandResult r = restoreDelta(ns, delta.get());
      if (r.ok()) {
        knownNat.wrote(ns, wanted);
        return List.of();
      }
      LOG.info("nat table of {} is not as last written ({}); reading it and restoring it in full", ns,
          r.stderr().strip());
    }
    knownNat.forget(ns);
    if (natSessions != null) {
      natSessions.forget(ns); // a whole table's events could overrun its monitor
    }
    // A namespace this lane made has an empty nat table: no iptables-save to read it.
    runner.run(restore(ns, NatRestore.script(made ? NatTable.EMPTY : save(ns), wanted, Names::isOurChain)));
    knownNat.wrote(ns, wanted);
    return List.of();
  }

  private CommandResult restoreDelta(String ns, String script) {
    if (natSessions != null) {
      Optional<CommandResult> r = natSessions.apply(ns, script);
      if (r.isPresent()) {
        return r.get();
      }
    }
    return runner.exec(restore(ns, script));
  }

  private NatTable save(String ns) {
    return NatRestore.parse(runner.run(command(netnsExec(ns, "iptables-save", "-t", "nat"))).stdout());
  }

  private Command restore(String ns, String script) {
    return command(netnsExec(ns, "iptables-restore", "-n")).withStdin(script);
  }

  /** Without batching: each line of the restore as its own iptables. */
  private List<Action> perRule(String ns, String script) {
    List<Action> out = new ArrayList<>();
    for (String line : script.split("\n")) {
      if (!line.startsWith("-")) {
        continue; // *nat and COMMIT
      }
      List<String> argv = new ArrayList<>(netnsExec(ns, "iptables", "-w", "-t", "nat"));
      argv.addAll(List.of(line.split(" ")));
      out.add(exec(command(argv)));
    }
    return out;
  }

  /**
   * With batching, {@code ip netns add} is a line of the host's ip batch (after the lanes' leading
   * host lines are gathered, one process makes every namespace and veth pair of a plan) and the
   * loopback goes up with the namespace's first ip line; without, each is its own process.
   */
  private void createNamespace(String ns, Compilation c) {
    c.created.add(ns);
    if (options.batch()) {
      c.add(List.of(ip("", List.of("netns", "add", ns), EXISTS)));
      c.loopbackDown.add(ns);
    } else {
      c.add(List.of(exec(command(List.of("ip", "netns", "add", ns)), EXISTS), loopbackUp(ns)));
    }
  }

  /** A router port into its bridge: a veth pair (host end in the bridge) or an internal port moved in. */
  private void plug(Compilation c, String ns, String dev, String bridge) {
    requireOvs("plugging " + dev);
    List<String> ids = List.of("--", "set", "Interface", "%s", "external_ids:" + OvsPorts.NS_KEY + "=" + ns,
        "external_ids:" + OvsPorts.DEV_KEY + "=" + dev);
    if (options.plug() == PlugMode.INTERNAL) {
      List<String> argv = new ArrayList<>(List.of("ovs-vsctl", "--may-exist", "add-port", bridge, dev));
      ids.forEach(w -> argv.add(w.replace("%s", dev)));
      argv.add("type=internal");
      c.add(List.of(exec(command(argv)), ip("", List.of("link", "set", "dev", dev, "netns", ns), NO_DEVICE)));
      return;
    }
    String tap = PlugMode.hostEnd(dev);
    List<String> commands = new ArrayList<>(List.of("--", "--may-exist", "add-port", bridge, tap));
    ids.forEach(w -> commands.add(w.replace("%s", tap)));
    c.add(List.of(
        ip("", List.of("link", "del", tap), NO_DEVICE),
        ip("", List.of("link", "add", tap, "type", "veth", "peer", "name", dev, "netns", ns)),
        ip("", List.of("link", "set", "dev", tap, "up")),
        // The namespace end is configured without waiting: only the host end is in OVS.
        new Action.Vsctl(commands)));
    // Checksum offload breaks TCP through the userspace datapath (lab notes, pitfall 1).
    c.late(ns, List.of("ethtool", "-K", dev, "tx", "off"));
  }

  private List<Action> deleteDevice(String ns, String dev, String peerNamespace) {
    List<Action> out = new ArrayList<>();
    if (peerNamespace.isEmpty() && options.ovs() && PLUGGED.stream().anyMatch(dev::startsWith)) {
      List<String> delete = List.of("--", "--if-exists", "del-port", PlugMode.hostEnd(dev), "--",
          "--if-exists", "del-port", dev);
      if (options.plug() == PlugMode.INTERNAL) {
        // An internal port is added at once, not in the plan's OVS transaction at its end: a device
        // re-created under the same name must lose its old port now, or the transaction would
        // delete the new one.
        List<String> argv = new ArrayList<>(List.of("ovs-vsctl"));
        argv.addAll(delete);
        out.add(exec(command(argv)));
      } else {
        out.add(new Action.Vsctl(delete));
      }
    }
    out.add(ip(ns, List.of("link", "del", dev), NO_DEVICE));
    return out;
  }

  private List<Action> deleteNamespace(String ns) {
    List<Action> out = new ArrayList<>();
    if (options.ovs()) {
      List<String> commands = new ArrayList<>();
      OvsPorts.read(runner).portsOfNamespace(ns).forEach(p -> commands.addAll(List.of("--", "--if-exists", "del-port", p)));
      if (!commands.isEmpty()) {
        out.add(new Action.Vsctl(commands));
      }
    }
    out.add(exec(command(List.of("ip", "netns", "del", ns)), NO_FILE));
    knownNat.forget(ns);
    return out;
  }

  static List<String> addressWords(String verb, IpPrefix a, String dev) {
    List<String> words = new ArrayList<>(List.of("addr", verb, a.toString()));
    // Broadcast as the seed lists it: the subnet's, none on a /31, the address itself on a /32.
    if (a.length() < 31) {
      words.addAll(List.of("brd", a.broadcast()));
    } else if (a.length() == 32) {
      words.addAll(List.of("brd", a.ip()));
    }
    words.addAll(List.of("dev", Args.device(dev)));
    return words;
  }

  static List<String> ruleWords(String verb, IpRule r) {
    String from = r.from().length() == 0 ? "all" : r.from().brief();
    return List.of("rule", verb, "from", from, "lookup", Long.toString(r.table()), "priority",
        Long.toString(r.priority()));
  }

  static List<String> routeWords(Route r) {
    List<String> words = new ArrayList<>(List.of("route", "replace", r.destination().brief()));
    if (!r.via().isEmpty()) {
      words.addAll(List.of("via", Args.ip(r.via())));
    }
    words.addAll(List.of("dev", Args.device(r.dev()), "table", Long.toString(r.table())));
    if (r.connected()) {
      words.addAll(List.of("proto", "kernel"));
    }
    if (r.via().isEmpty()) {
      words.addAll(List.of("scope", "link"));
    }
    if (!r.src().isEmpty()) {
      words.addAll(List.of("src", Args.ip(r.src())));
    }
    return words;
  }

  static List<String> netnsExec(String ns, String... argv) {
    List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", Args.name(ns)));
    all.addAll(List.of(argv));
    return all;
  }

  private Command command(List<String> argv) {
    return Command.of(argv).withTimeout(options.timeout());
  }

  private void requireOvs(String what) {
    if (!options.ovs()) {
      throw new IllegalStateException("Open vSwitch is disabled in the Linux driver's options; cannot do " + what);
    }
  }
}

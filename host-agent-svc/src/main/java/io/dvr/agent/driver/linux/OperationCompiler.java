package io.dvr.agent.driver.linux;

import static io.dvr.agent.driver.linux.Action.exec;
import static io.dvr.agent.driver.linux.Action.ip;

import io.dvr.agent.model.Flow;
import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.IpRule;
import io.dvr.agent.model.Neighbour;
import io.dvr.agent.model.Route;
import io.dvr.agent.reconcile.Operation;
import io.dvr.agent.reconcile.Operation.AddAddress;
import io.dvr.agent.reconcile.Operation.AddFlows;
import io.dvr.agent.reconcile.Operation.AddRule;
import io.dvr.agent.reconcile.Operation.CreateInternalPort;
import io.dvr.agent.reconcile.Operation.CreateNamespace;
import io.dvr.agent.reconcile.Operation.CreateVethPair;
import io.dvr.agent.reconcile.Operation.DeleteDevice;
import io.dvr.agent.reconcile.Operation.DeleteFlows;
import io.dvr.agent.reconcile.Operation.DeleteNamespace;
import io.dvr.agent.reconcile.Operation.RemoveAddress;
import io.dvr.agent.reconcile.Operation.RemoveNeighbour;
import io.dvr.agent.reconcile.Operation.RemoveRoute;
import io.dvr.agent.reconcile.Operation.RemoveRule;
import io.dvr.agent.reconcile.Operation.ReplaceNat;
import io.dvr.agent.reconcile.Operation.ReplaceNeighbour;
import io.dvr.agent.reconcile.Operation.ReplaceRoute;
import io.dvr.agent.reconcile.Operation.SetLink;
import io.dvr.agent.reconcile.Operation.SetSysctl;
import io.dvr.agent.render.Names;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the operations of one lane into actions, in order. Each operation is safe to repeat: ip
 * uses replace where it has it, and "already so" answers of add and delete are tolerated.
 */
final class OperationCompiler {
  static final String EXISTS = "File exists";
  static final String NO_FILE = "No such file or directory";
  static final String NO_DEVICE = "Cannot find device";
  static final String NO_ROUTE = "No such process";
  static final String NO_ADDRESS = "Cannot assign requested address";
  private static final List<String> PLUGGED = List.of(Names.QR, Names.SG, Names.QG, Names.FG);

  private final CommandRunner runner;
  private final LinuxOptions options;

  OperationCompiler(CommandRunner runner, LinuxOptions options) {
    this.runner = runner;
    this.options = options;
  }

  List<Action> compile(List<Operation> ops) {
    List<Action> out = new ArrayList<>();
    Map<String, List<String>> bundles = new LinkedHashMap<>();
    int bundlesAt = -1;
    for (int i = 0; i < ops.size(); i++) {
      Operation op = ops.get(i);
      if (op instanceof SetSysctl first) {
        List<String> argv = new ArrayList<>(netnsExec(first.namespace(), "sysctl", "-w", "-q"));
        while (i < ops.size() && ops.get(i) instanceof SetSysctl s && s.namespace().equals(first.namespace())
            && (options.batch() || s == first)) {
          argv.add(Args.sysctlKey(s.key()) + "=" + Args.token(s.value()));
          i++;
        }
        i--;
        out.add(exec(command(argv)));
      } else if (op instanceof AddFlows a) {
        bundlesAt = bundlesAt < 0 ? out.size() : bundlesAt;
        a.flows().forEach(f -> bundles.computeIfAbsent(Args.name(a.bridge()), k -> new ArrayList<>()).add(FlowText.addLine(f)));
      } else if (op instanceof DeleteFlows d) {
        bundlesAt = bundlesAt < 0 ? out.size() : bundlesAt;
        d.flows().forEach(f -> bundles.computeIfAbsent(Args.name(d.bridge()), k -> new ArrayList<>()).add(FlowText.deleteLine(f)));
      } else {
        out.addAll(actions(op));
      }
    }
    // One atomic bundle per bridge; bridges are independent, so grouping keeps each bridge's order.
    List<Action> flows = new ArrayList<>();
    bundles.forEach((bridge, lines) -> {
      if (options.batch()) {
        flows.add(exec(command(List.of("ovs-ofctl", "-O", "OpenFlow13", "--bundle", "add-flows", bridge, "-"))
            .withStdin(String.join("\n", lines) + "\n")));
      } else {
        lines.forEach(line -> flows.add(exec(command(List.of("ovs-ofctl", "-O", "OpenFlow13", "add-flows", bridge, "-"))
            .withStdin(line + "\n"))));
      }
    });
    if (!flows.isEmpty()) {
      requireOvs("flows");
      out.addAll(bundlesAt, flows);
    }
    return out;
  }

  private List<Action> actions(Operation op) {
    String ns = op.namespace().isEmpty() ? "" : Args.name(op.namespace());
    if (op instanceof CreateNamespace) {
      return List.of(exec(command(List.of("ip", "netns", "add", ns)), EXISTS),
          ip(ns, List.of("link", "set", "lo", "up")));
    } else if (op instanceof DeleteNamespace) {
      return List.of(new Action.Deferred("delete namespace " + ns, () -> deleteNamespace(ns)));
    } else if (op instanceof CreateInternalPort c) {
      return plug(ns, Args.device(c.device()), Args.name(c.bridge()));
    } else if (op instanceof CreateVethPair c) {
      return List.of(ip(ns, List.of("link", "add", Args.device(c.device()), "type", "veth", "peer", "name",
          Args.device(c.peer()), "netns", Args.name(c.peerNamespace())), EXISTS));
    } else if (op instanceof SetLink s) {
      List<String> words = new ArrayList<>(List.of("link", "set", "dev", Args.device(s.device())));
      if (!s.mac().isEmpty()) {
        words.addAll(List.of("address", Args.mac(s.mac())));
      }
      words.addAll(List.of("mtu", Integer.toString(s.mtu()), "up"));
      return List.of(ip(ns, words));
    } else if (op instanceof DeleteDevice d) {
      return deleteDevice(ns, Args.device(d.device()), d.peerNamespace());
    } else if (op instanceof AddAddress a) {
      return List.of(ip(ns, addressWords("replace", a.address(), a.device())));
    } else if (op instanceof RemoveAddress a) {
      return List.of(ip(ns, List.of("addr", "del", a.address().toString(), "dev", Args.device(a.device())),
          NO_ADDRESS, NO_DEVICE));
    } else if (op instanceof AddRule r) {
      return List.of(ip(ns, ruleWords("add", r.rule()), EXISTS));
    } else if (op instanceof RemoveRule r) {
      return List.of(ip(ns, ruleWords("del", r.rule()), NO_FILE));
    } else if (op instanceof ReplaceRoute r) {
      return List.of(ip(ns, routeWords(r.route())));
    } else if (op instanceof RemoveRoute r) {
      return List.of(ip(ns, List.of("route", "del", r.route().destination().brief(), "table",
          Long.toString(r.route().table()), "dev", Args.device(r.route().dev())), NO_ROUTE, NO_DEVICE));
    } else if (op instanceof ReplaceNeighbour n) {
      Neighbour nb = n.neighbour();
      return List.of(ip(ns, List.of("neigh", "replace", Args.ip(nb.ip()), "lladdr", Args.mac(nb.mac()), "nud",
          "permanent", "dev", Args.device(nb.dev()))));
    } else if (op instanceof RemoveNeighbour n) {
      return List.of(ip(ns, List.of("neigh", "del", Args.ip(n.neighbour().ip()), "dev",
          Args.device(n.neighbour().dev())), NO_FILE, NO_DEVICE));
    } else if (op instanceof ReplaceNat n) {
      return List.of(new Action.Deferred("nat of " + ns, () -> nat(ns, NatRestore.script(
          NatRestore.parse(runner.run(command(netnsExec(ns, "iptables-save", "-t", "nat"))).stdout()), n.ours(),
          Names::isOurChain))));
    }
    throw new IllegalArgumentException("the Linux driver cannot execute " + op);
  }

  /** The restore as one iptables-restore, or (without batching) each of its lines as its own iptables. */
  private List<Action> nat(String ns, String script) {
    if (options.batch()) {
      return List.of(exec(command(netnsExec(ns, "iptables-restore", "-n")).withStdin(script)));
    }
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

  /** A router port into its bridge: a veth pair (host end in the bridge) or an internal port moved in. */
  private List<Action> plug(String ns, String dev, String bridge) {
    requireOvs("plugging " + dev);
    List<String> ids = List.of("--", "set", "Interface", "%s", "external_ids:" + OvsPorts.NS_KEY + "=" + ns,
        "external_ids:" + OvsPorts.DEV_KEY + "=" + dev);
    if (options.plug() == PlugMode.INTERNAL) {
      List<String> argv = new ArrayList<>(List.of("ovs-vsctl", "--may-exist", "add-port", bridge, dev));
      ids.forEach(w -> argv.add(w.replace("%s", dev)));
      argv.add("type=internal");
      return List.of(exec(command(argv)), ip("", List.of("link", "set", "dev", dev, "netns", ns), NO_DEVICE));
    }
    String tap = PlugMode.hostEnd(dev);
    List<String> commands = new ArrayList<>(List.of("--", "--may-exist", "add-port", bridge, tap));
    ids.forEach(w -> commands.add(w.replace("%s", tap)));
    return List.of(
        ip("", List.of("link", "del", tap), NO_DEVICE),
        ip("", List.of("link", "add", tap, "type", "veth", "peer", "name", dev, "netns", ns)),
        ip("", List.of("link", "set", "dev", tap, "up")),
        // Checksum offload breaks TCP through the userspace datapath (lab notes, pitfall 1).
        exec(command(netnsExec(ns, "ethtool", "-K", dev, "tx", "off"))),
        // The namespace end is configured without waiting: only the host end is in OVS.
        new Action.Vsctl(commands));
  }

  private List<Action> deleteDevice(String ns, String dev, String peerNamespace) {
    List<Action> out = new ArrayList<>();
    if (peerNamespace.isEmpty() && options.ovs() && PLUGGED.stream().anyMatch(dev::startsWith)) {
      out.add(new Action.Vsctl(List.of("--", "--if-exists", "del-port", PlugMode.hostEnd(dev), "--",
          "--if-exists", "del-port", dev)));
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

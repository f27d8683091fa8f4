package io.dvr.bench;

import io.dvr.agent.HostAgentService;
import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.HostState;
import io.dvr.agent.render.Names;
import io.dvr.common.model.AgentModes;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.Subnet;
import io.vertx.core.Future;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What one event costs the whole cluster, and how that grows with the number of hosts N: a host
 * joining (a new agent registers, gets its DVR MAC, its tunnel endpoint is announced and every
 * other host takes both), a VM port created on a router every host carries, and an agent restart
 * (its full sync). Everything in this JVM as in {@link ConvergenceBench}: the control plane, an
 * embedded PostgreSQL and N agents on in-memory hosts. Per event it counts event-bus messages and
 * deliveries by kind with their bytes ({@link BusTraffic}), database transactions, applies and
 * operations on all hosts, and the OVS ports and flows the hosts hold; then fits each count's law
 * in N ({@link ScaleLaw}) and extrapolates it to 1,000 and 5,000 hosts.
 *
 * <p>usage: HostLifecycleBench [--hosts 10,20,40,80,160] [--ports 3] [--out FILE]
 */
public final class HostLifecycleBench {
  private static final long QUIET_MS = 1000;
  private static final long TIMEOUT_MS = 300_000;
  static final String JOIN = "host join";
  static final String PORT = "port create";
  static final String RESTART = "agent restart";
  private static final List<String> EVENTS = List.of(JOIN, PORT, RESTART);

  /** One event's costs at one N: metric name to value, in report order. */
  record Cost(String event, int hosts, Map<String, Double> metrics) {}

  private HostLifecycleBench() {}

  public static void main(String[] args) throws Exception {
    if (System.getenv("DVR_LOG_LEVEL") == null && System.getProperty("DVR_LOG_LEVEL") == null) {
      System.setProperty("DVR_LOG_LEVEL", "WARN");
    }
    List<Integer> sizes = List.of(10, 20, 40, 80, 160);
    int ports = 3;
    Path out = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--hosts" -> sizes = Arrays.stream(args[i + 1].split(",")).map(String::trim).map(Integer::valueOf).toList();
        case "--ports" -> ports = Integer.parseInt(args[i + 1]);
        case "--out" -> out = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (usage: --hosts 10,20,40,80,160 --ports 3 --out FILE)");
      }
    }
    if (sizes.stream().anyMatch(n -> n < 2)) {
      throw new IllegalArgumentException("--hosts: every count must be at least 2 (a port goes to a host other than"
          + " the dvr_snat one), not " + sizes);
    }
    List<Cost> costs = new ArrayList<>();
    List<String> memory = new ArrayList<>();
    List<Integer> measured = new ArrayList<>();
    for (int n : sizes) {
      try {
        costs.addAll(run(n, ports, memory));
        measured.add(n);
      } catch (RuntimeException e) {
        // A larger N that does not fit this machine (agents not registered in time) still leaves the smaller ones.
        System.err.printf("%d hosts: not measured (%s); reporting %s%n", n, e.getMessage(), measured);
        break;
      }
    }
    String report = report(measured, costs, memory);
    System.out.println(report);
    if (out != null) {
      Files.writeString(out, report + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    System.exit(0);
  }

  private static List<Cost> run(int n, int ports, List<String> memory) throws Exception {
    Phases setup = new Phases(n + " hosts");
    try (ControlPlane cp = ControlPlane.start()) {
      BusTraffic bus = new BusTraffic(cp.vertx);
      List<SimHost> hosts = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        SimHost h = new SimHost(String.format("host-%04d", i), i == 0 ? AgentModes.DVR_SNAT : AgentModes.DVR);
        hosts.add(h);
        cp.startAgent(h);
      }
      cp.awaitAgentsReady(hosts, TIMEOUT_MS);
      settle(cp, bus, hosts);
      setup.done("agents registered and settled");
      Topology t = build(cp.api, hosts);
      Waits.until(cp.vertx, "every host holds the router and every VM's ARP entry", TIMEOUT_MS,
          () -> hosts.stream().allMatch(h -> h.neighbours(t.namespace()).size() >= n));
      settle(cp, bus, hosts);
      setup.done("router with one VM on each host");
      memory.add(heap(n));

      List<Cost> costs = new ArrayList<>();
      // A host joins: a new agent, no VM yet (it carries no router until one is placed on it).
      SimHost joining = new SimHost(String.format("host-%04d", n), AgentModes.DVR);
      costs.add(measure(cp, bus, hosts, JOIN, n, () -> {
        cp.startAgent(joining);
        hosts.add(joining);
        Waits.until(cp.vertx, "the new host is registered and every host has its tunnel endpoint", TIMEOUT_MS,
            () -> joining.facts.applies() > 0 && cp.api.agentCount().await() == hosts.size()
                && hosts.stream().filter(h -> h != joining)
                    .allMatch(h -> h.agent.tunnelEndpoints().containsKey(joining.name)));
      }));
      // Port creates: VM ports on the router's subnet, on the hosts in turn; done when every host holds its entry.
      List<Cost> perPort = new ArrayList<>();
      List<SimHost> carrying = List.copyOf(hosts.subList(0, n)); // the joined host has no VM: not the router's
      for (int i = 0; i < ports; i++) {
        SimHost on = carrying.get(1 + i % (n - 1));
        perPort.add(measure(cp, bus, hosts, PORT, n, () -> {
          Port p = cp.api.vmPort(t.network(), t.subnet(), null, null, on.name).await();
          String ip = p.getFixedIps(0).getIpAddress() + " ";
          Waits.until(cp.vertx, "every host of the router holds the ARP entry of " + ip, TIMEOUT_MS, () -> carrying.stream()
              .allMatch(h -> h.neighbours(t.namespace()).stream().anyMatch(l -> l.startsWith(ip))));
        }));
      }
      costs.add(mean(perPort));
      // An agent restart on a host with a VM (it carries the router): its first full sync.
      SimHost restarted = hosts.get(1);
      costs.add(measure(cp, bus, hosts, RESTART, n, () -> {
        cp.stopAgent(restarted);
        cp.startAgent(restarted);
        Waits.until(cp.vertx, "the restarted agent synced", TIMEOUT_MS, () -> restarted.agent.syncedOnce());
      }));
      setup.done("events measured");
      return costs;
    }
  }

  /** The work one event caused, from its start until the cluster is quiet again. */
  private static Cost measure(ControlPlane cp, BusTraffic bus, List<SimHost> hosts, String event, int n,
      Runnable action) {
    Map<String, BusTraffic.Count> busBefore = bus.snapshot();
    long dbBefore = cp.committedTransactions();
    long heartbeatsBefore = cp.agentRowUpdates();
    Map<SimHost, Long> appliesBefore = new IdentityHashMap<>();
    hosts.forEach(h -> appliesBefore.put(h, h.facts.applies()));
    Map<HostAgentService, Long> opsBefore = new IdentityHashMap<>();
    hosts.forEach(h -> opsBefore.put(h.agent, h.agent.operationsSinceStart()));
    long[] stateBefore = state(hosts);
    long t0 = System.nanoTime();
    action.run();
    settle(cp, bus, hosts);
    double seconds = (System.nanoTime() - t0) / 1e9;
    Waits.sleep(cp.vertx, 1000); // PostgreSQL sends its statistics about every 0.5 s
    // Less heartbeats (the restarted agent's registration updates its row too: one transaction left out).
    double db = cp.committedTransactions() - dbBefore - (cp.agentRowUpdates() - heartbeatsBefore);

    Map<String, Double> m = new LinkedHashMap<>();
    Map<String, BusTraffic.Count> traffic = BusTraffic.between(busBefore, bus.snapshot());
    m.put("bus messages sent", (double) traffic.values().stream().mapToLong(BusTraffic.Count::sent).sum());
    m.put("bus deliveries", (double) traffic.values().stream().mapToLong(BusTraffic.Count::delivered).sum());
    m.put("bus bytes delivered", (double) traffic.values().stream().mapToLong(BusTraffic.Count::deliveredBytes).sum());
    traffic.forEach((kind, c) -> m.put("deliveries: " + kind, (double) c.delivered()));
    traffic.forEach((kind, c) -> m.put("bytes: " + kind, (double) c.deliveredBytes()));
    m.put("DB transactions (less heartbeats)", db);
    long applies = 0;
    long applying = 0;
    for (SimHost h : hosts) {
      long d = h.facts.applies() - appliesBefore.getOrDefault(h, 0L);
      applies += d;
      applying += d > 0 ? 1 : 0;
    }
    m.put("applies, all hosts", (double) applies);
    m.put("hosts that applied", (double) applying);
    m.put("operations, all hosts", (double) hosts.stream()
        .mapToLong(h -> h.agent.operationsSinceStart() - opsBefore.getOrDefault(h.agent, 0L)).sum());
    long[] stateAfter = state(hosts);
    m.put("OVS ports added, all hosts", (double) (stateAfter[0] - stateBefore[0]));
    m.put("flows added, all hosts", (double) (stateAfter[1] - stateBefore[1]));
    m.put("br-tun ports on one dvr host (tunnels + patch)", (double) tunnelPorts(hosts.get(1)));
    m.put("flows on one dvr host", (double) flows(hosts.get(1)));
    System.out.printf("%d hosts, %s: %.1f s, %s%n", n, event, seconds, m);
    return new Cost(event, n, m);
  }

  private static Cost mean(List<Cost> costs) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (Cost c : costs) {
      c.metrics().forEach((k, v) -> m.merge(k, v / costs.size(), Double::sum));
    }
    return new Cost(costs.get(0).event(), costs.get(0).hosts(), m);
  }

  /** {OVS ports, flows} summed over every host. */
  private static long[] state(List<SimHost> hosts) {
    long ports = 0;
    long flows = 0;
    for (SimHost h : hosts) {
      for (BridgeState b : observe(h).bridges().values()) {
        ports += b.ports().size();
        flows += b.flows().size();
      }
    }
    return new long[] {ports, flows};
  }

  private static long tunnelPorts(SimHost h) {
    BridgeState tun = observe(h).bridges().get(Names.BR_TUN);
    return tun == null ? 0 : tun.ports().size();
  }

  private static long flows(SimHost h) {
    return observe(h).bridges().values().stream().mapToLong(b -> b.flows().size()).sum();
  }

  private static HostState observe(SimHost h) {
    synchronized (h.memory) {
      return h.memory.observe();
    }
  }

  private static void settle(ControlPlane cp, BusTraffic bus, List<SimHost> hosts) {
    Waits.until(cp.vertx, "the control plane is quiet", TIMEOUT_MS,
        () -> bus.isQuiet(QUIET_MS) && Waits.isQuiet(hosts, QUIET_MS));
  }

  private record Topology(String routerId, String network, String subnet) {
    String namespace() {
      return Names.qrouterNamespace(routerId);
    }
  }

  /** A distributed router with a gateway and one subnet, and one VM on every host (so every host carries it). */
  private static Topology build(Api api, List<SimHost> hosts) {
    Network ext = api.network("ext-net", true).await();
    api.externalSubnet(ext.getId(), "192.168.0.0/16", "192.168.0.1", "192.168.0.100", "192.168.0.200").await();
    Network net = api.network("net", false).await();
    Subnet sub = api.subnet(net.getId(), "subnet", "10.1.0.0/16").await();
    Router router = api.router("scale-router").await();
    api.addInterface(router.getId(), sub.getId()).await();
    api.setGateway(router.getId(), ext.getId()).await();
    List<Future<?>> vms = new ArrayList<>();
    for (int i = 0; i < hosts.size(); i++) {
      vms.add(api.vmPort(net.getId(), sub.getId(), null, null, hosts.get(i).name));
      if (vms.size() == 8 || i == hosts.size() - 1) {
        Future.all(vms).await();
        vms.clear();
      }
    }
    return new Topology(router.getId(), net.getId(), sub.getId());
  }

  /** The JVM's heap in use after a full GC, with N agents holding one router each. */
  private static String heap(int n) {
    Runtime rt = Runtime.getRuntime();
    System.gc();
    long used = rt.totalMemory() - rt.freeMemory();
    return ConvergenceBench.fmt("%d hosts: heap in use after GC %.0f MB (%.2f MB per host, control plane included)",
        n, used / 1e6, used / 1e6 / n);
  }

  static String report(List<Integer> sizes, List<Cost> costs, List<String> memory) {
    StringBuilder sb = new StringBuilder(ConvergenceBench.fmt("Host lifecycle costs, %s, %d CPUs, Java %s%n",
        Instant.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version")));
    for (String event : EVENTS) {
      List<Cost> rows = costs.stream().filter(c -> c.event().equals(event)).toList();
      if (rows.isEmpty()) {
        continue;
      }
      TreeSet<String> metrics = new TreeSet<>();
      rows.forEach(r -> metrics.addAll(r.metrics().keySet()));
      List<String> ordered = new ArrayList<>(rows.get(rows.size() - 1).metrics().keySet());
      metrics.stream().filter(k -> !ordered.contains(k)).forEach(ordered::add);
      sb.append(ConvergenceBench.fmt("%n%s, measured at N hosts (N before a join), and the fitted law:%n%n", event));
      sb.append("| metric |");
      rows.forEach(r -> sb.append(" N=").append(r.hosts()).append(" |"));
      sb.append(" law | order | 1,000 hosts (derived) | 5,000 hosts (derived) |\n|---|");
      rows.forEach(r -> sb.append("---:|"));
      sb.append("---|---|---:|---:|\n");
      for (String metric : ordered) {
        sb.append("| ").append(metric).append(" |");
        List<ScaleLaw.Point> points = new ArrayList<>();
        for (Cost r : rows) {
          double v = r.metrics().getOrDefault(metric, 0.0);
          points.add(new ScaleLaw.Point(r.hosts(), v));
          sb.append(ConvergenceBench.fmt(" %s |", num(v)));
        }
        if (points.size() >= 2) {
          ScaleLaw law = ScaleLaw.fit(points);
          sb.append(ConvergenceBench.fmt(" %s | %s | %s | %s |%n", law.formula(), law.order(), num(law.at(1000)),
              num(law.at(5000))));
        } else {
          sb.append(" - | - | - | - |\n");
        }
      }
    }
    sb.append('\n');
    memory.forEach(line -> sb.append(line).append('\n'));
    return sb.toString();
  }

  private static String num(double v) {
    return Math.abs(v - Math.rint(v)) < 0.05 ? ConvergenceBench.fmt("%,.0f", v) : ConvergenceBench.fmt("%,.1f", v);
  }
}

package io.dvr.bench;

import io.dvr.agent.HostPipeline;
import io.dvr.agent.model.Neighbour;
import io.dvr.agent.render.Names;
import io.dvr.common.model.AgentModes;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterInterface;
import io.dvr.proto.v1.Subnet;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Port-to-ARP convergence: N simulated hosts carry one distributed router (two subnets, a
 * gateway, one VM on every host); for each new VM port, created one at a time on a random
 * host, the time from sending CreatePort until its ARP entry is in qrouter-&lt;router&gt; on
 * every host.
 */
final class ArpConvergence {
  private static final String[] CIDRS = {"10.1.0.0/16", "10.2.0.0/16"};
  /** Sample ports are numbered after the placement VMs, so their addresses never collide. */
  private static final int FIRST_SAMPLE = 1000;

  record Result(int hosts, int samples, int failures, long[] apiNanos, long[] firstNanos, long[] allNanos,
      Map<String, Double> busPerSample, double dbTransactionsPerSample, double fullApplyMs, double arpApplyMs,
      double appliesPerSample, double setupSeconds, int lostInSetup, String cpu) {}

  /** The router and, per subnet, its network and the qr- device of the router's interface. */
  private record Topology(String routerId, List<String> networks, List<String> subnets, List<String> qrDevices) {
    String namespace() {
      return Names.qrouterNamespace(routerId);
    }

    String line(int subnet, int number) {
      return ip(subnet, number) + " dev " + qrDevices.get(subnet) + " lladdr " + mac(number) + " PERMANENT";
    }

    Neighbour neighbour(int subnet, int number) {
      return new Neighbour(ip(subnet, number), qrDevices.get(subnet), mac(number));
    }
  }

  private ArpConvergence() {}

  static Result run(int n, ConvergenceBench.Options o) throws Exception {
    Phases setup = new Phases(n + " hosts");
    try (ControlPlane cp = ControlPlane.start()) {
      setup.done("control plane started (" + cp.durability() + ")");
      List<SimHost> hosts = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        SimHost h = new SimHost(String.format("host-%03d", i), i == 0 ? AgentModes.DVR_SNAT : AgentModes.DVR);
        hosts.add(h);
        cp.startAgent(h);
      }
      setup.done("agents started");
      cp.awaitAgentsReady(hosts, 300_000);
      setup.done("agents registered with DVR MACs");
      // Every new DVR MAC is announced to every agent: N x N applies to let settle first.
      Waits.quiet(cp.vertx, hosts, 1000, 300_000);
      setup.done("DVR MAC announcements settled");
      long built = System.nanoTime();
      Topology t = build(cp.api, hosts);
      setup.done("router and " + n + " VMs created");
      int repaired = awaitPlacement(cp, t, hosts, built);
      setup.done("every host holds the router and all ARP entries");
      double setupSeconds = setup.totalSeconds();
      System.out.printf("%d hosts: set up in %.1f s; measuring %d samples after %d warm-up%n", n, setupSeconds,
          o.samples(), o.warmup());

      Measured m = measure(cp, hosts, t, o);
      double[] apply = applyCost(cp, hosts.get(n > 1 ? 1 : 0), t);
      return new Result(n, o.samples(), m.failures(), column(m.rows(), 0), column(m.rows(), 1), column(m.rows(), 2),
          m.busPerSample(), m.dbPerSample(), apply[0], apply[1], m.appliesPerSample(), setupSeconds, repaired, m.cpu());
    }
  }

  /** Per sample: {CreatePort reply, first host, all hosts} in nanoseconds; and what the samples cost. */
  private record Measured(List<long[]> rows, int failures, Map<String, Double> busPerSample, double dbPerSample,
      double appliesPerSample, String cpu) {}

  private static Measured measure(ControlPlane cp, List<SimHost> hosts, Topology t, ConvergenceBench.Options o) {
    ArpProbe probe = new ArpProbe(cp.vertx, hosts, o.pollMs());
    BusCounter bus = new BusCounter(cp.vertx);
    Random random = new Random(o.seed());
    List<long[]> rows = new ArrayList<>();
    int failures = 0;
    Map<String, Long> busBefore = null;
    long dbBefore = 0;
    long appliesBefore = 0;
    CpuShare cpu = null;
    long phaseStart = 0;
    for (int i = 0; i < o.warmup() + o.samples(); i++) {
      // One change at a time: the previous one, and the work it left behind, has settled.
      settle(cp.vertx, bus, hosts, o.gapMs());
      if (i == o.warmup()) {
        busBefore = bus.snapshot();
        dbBefore = cp.committedTransactions();
        appliesBefore = applies(hosts);
        cpu = new CpuShare();
        phaseStart = System.nanoTime();
      }
      int subnet = i % 2;
      int number = FIRST_SAMPLE + i;
      String host = hosts.get(random.nextInt(hosts.size())).name;
      ArpProbe.Sample s = probe.expect(t.namespace(), t.neighbour(subnet, number));
      cp.api.vmPort(t.networks().get(subnet), t.subnets().get(subnet), ip(subnet, number), mac(number), host).await();
      long api = System.nanoTime() - s.startNanos;
      try {
        s.done.future().await(30, TimeUnit.SECONDS);
        if (i >= o.warmup()) {
          rows.add(new long[] {api, s.firstNanos(), s.lastNanos()});
        }
      } catch (TimeoutException e) {
        failures++;
        System.err.printf("sample %d: after 30 s %d of %d hosts still lack %s%n", i, s.missing.get(), hosts.size(),
            s.expected);
      } finally {
        probe.clear();
      }
    }
    settle(cp.vertx, bus, hosts, o.gapMs());
    double seconds = (System.nanoTime() - phaseStart) / 1e9;
    double appliesPerSample = (applies(hosts) - appliesBefore) / (double) o.samples();
    String cpuShare = cpu.since();
    Waits.sleep(cp.vertx, 1000); // PostgreSQL sends its statistics about every 0.5 s
    // Each agent's heartbeat (every 30 s) is one transaction; what remains is the samples' own work.
    double db = cp.committedTransactions() - dbBefore - hosts.size() * seconds / 30;
    Map<String, Long> busAfter = bus.snapshot();
    Map<String, Double> busPerSample = new TreeMap<>();
    for (String kind : List.of(BusCounter.RESOURCE_CHANGED, BusCounter.ROUTERS_CHANGED, BusCounter.ARP_UPDATE,
        BusCounter.HOST_ROUTERS)) {
      busPerSample.put(kind, BusCounter.delta(busBefore, busAfter, kind) / (double) o.samples());
    }
    System.out.printf("%d hosts: measured phase %.1f s; CPU %s%n", hosts.size(), seconds, cpuShare);
    return new Measured(rows, failures, busPerSample, db / o.samples(), appliesPerSample, cpuShare);
  }

  private static void settle(Vertx vertx, BusCounter bus, List<SimHost> hosts, long quietMs) {
    Waits.until(vertx, "the control plane is quiet", 60_000, () -> bus.isQuiet(quietMs) && Waits.isQuiet(hosts, quietMs));
  }

  private static Topology build(Api api, List<SimHost> hosts) {
    Network ext = api.network("ext-net", true).await();
    api.externalSubnet(ext.getId(), "192.168.0.0/16", "192.168.0.1", "192.168.0.100", "192.168.0.200").await();
    Router router = api.router("bench-router").await();
    List<String> networks = new ArrayList<>();
    List<String> subnets = new ArrayList<>();
    for (int k = 0; k < CIDRS.length; k++) {
      Network net = api.network("net" + k, false).await();
      Subnet sub = api.subnet(net.getId(), "subnet" + k, CIDRS[k]).await();
      router = api.addInterface(router.getId(), sub.getId()).await();
      networks.add(net.getId());
      subnets.add(sub.getId());
    }
    router = api.setGateway(router.getId(), ext.getId()).await();
    List<String> qr = new ArrayList<>();
    for (String subnet : subnets) {
      RouterInterface itf = router.getInterfacesList().stream().filter(i -> i.getSubnetId().equals(subnet))
          .findFirst().orElseThrow(() -> new IllegalStateException("router lacks its interface on " + subnet));
      qr.add(Names.qrDevice(itf.getPortId()));
    }
    // One VM per host places the router on every host; eight creations in flight keep this short.
    List<Future<?>> vms = new ArrayList<>();
    for (int i = 0; i < hosts.size(); i++) {
      int k = i % 2;
      vms.add(api.vmPort(networks.get(k), subnets.get(k), ip(k, i), mac(i), hosts.get(i).name));
      if (vms.size() == 8 || i == hosts.size() - 1) {
        Future.all(vms).await();
        vms.clear();
      }
    }
    return new Topology(router.getId(), networks, subnets, qr);
  }

  /**
   * Waits until every host's qrouter- holds the ARP entries of all placement VMs. A host that
   * still lacks some once everything has been quiet for seconds lost an ArpUpdate (see the
   * report); it is repaired with the agent's full resync, as the periodic resync would
   * eventually do. Returns how many hosts had lost one.
   */
  private static int awaitPlacement(ControlPlane cp, Topology t, List<SimHost> hosts, long builtSince) {
    Set<String> lines = new HashSet<>();
    for (int i = 0; i < hosts.size(); i++) {
      lines.add(t.line(i % 2, i));
    }
    Waits.until(cp.vertx, "every host holds all ARP entries, or nothing moves any more", 300_000,
        () -> lacking(hosts, t, lines).isEmpty() || (Waits.isQuiet(hosts, 3000)
            && hosts.stream().allMatch(h -> h.facts.lastApplyNanos() > builtSince)));
    if (!lacking(hosts, t, lines).isEmpty()) {
      Waits.sleep(cp.vertx, 5000); // late is not lost: give the event pipeline more time than it ever needed
    }
    List<SimHost> lost = lacking(hosts, t, lines);
    for (SimHost h : lost) {
      Set<String> missing = new HashSet<>(lines);
      missing.removeAll(h.neighbours(t.namespace()));
      System.err.printf("%s lacks %d of %d ARP entries after 8 s of quiet, e.g. %s; asking it for a full resync%n",
          h.name, missing.size(), lines.size(), missing.iterator().next());
      h.agent.resync();
    }
    Waits.until(cp.vertx, "every host holds the router with the ARP entries of all " + hosts.size() + " VMs", 60_000,
        () -> lacking(hosts, t, lines).isEmpty());
    int carrying = cp.api.routerHostCount(t.routerId()).await();
    if (carrying != hosts.size()) {
      throw new IllegalStateException("the router is on " + carrying + " hosts, not " + hosts.size());
    }
    Waits.quiet(cp.vertx, hosts, 1000, 300_000);
    return lost.size();
  }

  private static List<SimHost> lacking(List<SimHost> hosts, Topology t, Set<String> lines) {
    return hosts.stream().filter(h -> !h.neighbours(t.namespace()).containsAll(lines)).toList();
  }

  /**
   * What one dvr host's agent spends per change, outside the agent: a full apply of its state on
   * an empty host model, then the median of 20 applies that each add one ARP entry to the router
   * alone (what an ArpUpdate makes the agent do).
   */
  private static double[] applyCost(ControlPlane cp, SimHost host, Topology t) {
    HostRouters routers = ApplyCost.fetch(cp, host.name);
    HostPipeline dataplane = ApplyCost.emptyHost(cp.vertx, host);
    double full = ApplyCost.applyMs(dataplane, routers);
    double[] one = new double[20];
    for (int i = 0; i < one.length; i++) {
      int number = 50_000 + i;
      RouterInfo r = routers.getRouters(0).toBuilder().addArpEntries(ArpEntry.newBuilder()
          .setIpAddress(ip(0, number)).setMacAddress(mac(number)).setSubnetId(t.subnets().get(0))
          .setPortId(UUID.randomUUID().toString())).build();
      routers = routers.toBuilder().setRouters(0, r).build();
      one[i] = ApplyCost.applyMs(dataplane, routers, Set.of(r.getRouterId()));
    }
    Arrays.sort(one);
    return new double[] {full, one[one.length / 2]};
  }

  static String ip(int subnet, int number) {
    return String.format("10.%d.%d.%d", subnet + 1, 1 + number / 250, 2 + number % 250);
  }

  /** Unique per port number; the server's random MACs are fa:16:3e too but hardly ever start with ee. */
  static String mac(int number) {
    return String.format("fa:16:3e:ee:%02x:%02x", (number >> 8) & 0xff, number & 0xff);
  }

  private static long applies(List<SimHost> hosts) {
    return hosts.stream().mapToLong(h -> h.facts.applies()).sum();
  }

  private static long[] column(List<long[]> rows, int i) {
    return rows.stream().mapToLong(r -> r[i]).toArray();
  }
}

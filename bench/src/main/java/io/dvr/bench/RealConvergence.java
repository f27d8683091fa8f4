package io.dvr.bench;

import io.dvr.agent.render.Names;
import io.dvr.proto.v1.CreateFloatingIpRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.DeleteFloatingIpRequest;
import io.dvr.proto.v1.DeletePortRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.Subnet;
import io.vertx.core.Future;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * One run at N hosts: labnet up, the control plane, one agent JVM per host, a router with one
 * subnet, its gateway on the lab's external network and on every compute a VM port with a
 * floating IP (so every compute carries the router and holds the fip- namespace). Then the samples:
 * a port created (bound to a compute, its OVS interface plugged beforehand as Nova plugs it) until
 * its permanent neighbour entry is in the qrouter- of every carrying host and its flow on its
 * host's br-int; the port deleted until those are gone; a floating IP created on a compute's port
 * until its rule, its NAT and its route in fip- (what makes fg- answer ARP for it) are there; the
 * floating IP deleted until they are gone. Each read from long-running monitors ({@link KernelWatch}).
 */
final class RealConvergence {
  private static final long SAMPLE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
  private static final String EXT_CIDR = "192.168.1.0/24";
  /** The external pool's last address: only the floating IP that ends a burst takes it. */
  private static final String BURST_LAST_FIP = "192.168.1.250";
  private static final int AGENTS_AT_ONCE = 5;

  /**
   * One measured kind of change, one row: per sample, when the monitors stamped the change ({@code
   * nanos}: what the kernel or the switch reported, see {@link KernelWatch}), when this JVM read their
   * lines ({@code readNanos}), and when the reply came, each from sending the request.
   */
  record Series(String what, long[] nanos, long[] readNanos, long[] replyNanos, int lost) {}

  /**
   * When the last of a sample's expected changes was stamped by its monitor, when this JVM read the
   * last of them, and each monitor's stamp ({@code each}, ms from the start, for the sample's line).
   */
  private record Seen(long stamped, long read, String each) {
    double stampedMs(long t0) {
      return (stamped - t0) / 1e6;
    }

    double readMs(long t0) {
      return (read - t0) / 1e6;
    }
  }

  record Result(int hosts, int carrying, List<Series> series, int lost, double upSeconds, double downSeconds,
      double agentsSeconds, double agentRssMb, String loadBefore, String loadAfter) {}

  private final RealHostConvergenceBench.Options o;
  private final LabNet lab;
  private final Path runDir;
  private ControlPlane cp;
  private final List<AgentJvm> agents = new ArrayList<>();
  private final List<KernelWatch> watches = new ArrayList<>();
  private String routerId;
  private String extNetId;
  private String netId;
  private String subnetId;
  private final Map<String, Port> spare = new LinkedHashMap<>();
  /** Per carrying host: ip monitor in its qrouter-. */
  private final Map<String, KernelWatch> qrouterWatch = new LinkedHashMap<>();
  /** Per compute: flows of br-int, routes of fip-, nat of qrouter-. */
  private final Map<String, KernelWatch> flowWatch = new HashMap<>();
  private final Map<String, KernelWatch> tagWatch = new HashMap<>();
  private final Map<String, KernelWatch> fipWatch = new HashMap<>();
  private final Map<String, KernelWatch> natWatch = new HashMap<>();
  /** The relay's port when the agents attach to one (--via relay). */
  private int relayPort;

  private RealConvergence(RealHostConvergenceBench.Options o, int n) throws IOException {
    this.o = o;
    this.lab = new LabNet(o.labnet(), o.labDir(), n);
    this.runDir = Files.createTempDirectory("dvr-real-" + n + "-");
  }

  static Result run(int n, RealHostConvergenceBench.Options o) throws Exception {
    return new RealConvergence(o, n).run();
  }

  private Result run() throws Exception {
    Phases setup = new Phases(lab.hosts + " hosts");
    String loadBefore = load();
    double up = lab.up().toMillis() / 1000.0;
    setup.done("labnet up (" + loadBefore + ")");
    double agentsUp;
    double rss;
    List<Series> series = new ArrayList<>();
    double down;
    System.out.println("agents' logs in " + runDir.resolve("logs"));
    try {
      int clusterPort = freePort();
      // Agents through a relay: the control plane needs no cluster (the relay is on its bus).
      cp = o.viaRelay() ? ControlPlane.start(Map.of("outbox.poll-ms", "1000"))
          : ControlPlane.start(Map.of("cluster.enabled", "true", "cluster.host", "127.0.0.1", "cluster.port",
          String.valueOf(clusterPort), "cluster.members", "127.0.0.1:" + clusterPort, "cluster.name",
          "real-bench-" + ProcessHandle.current().pid() + "-" + lab.hosts, "outbox.poll-ms", "1000"));
      relayPort = o.viaRelay() ? cp.startRelay().port() : 0;
      setup.done("control plane started (" + cp.durability() + ")");
      long t = System.nanoTime();
      startAgents(clusterPort);
      Waits.until(cp.vertx, "all " + lab.hosts + " agents registered", 900_000, () -> {
        requireAgentsAlive();
        return cp.api.agentCount().await() >= lab.hosts;
      });
      agentsUp = (System.nanoTime() - t) / 1e9;
      setup.done("agents registered");
      build();
      setup.done("router, ports and floating IPs created");
      awaitSetupOnHosts();
      setup.done("every host carries the router, every compute its floating IP");
      startWatches();
      awaitWatchesSubscribed();
      setup.done(watches.size() + " monitors started and seen subscribed");
      if (o.cases().contains("port")) {
        series.addAll(portSamples());
        setup.done("port samples");
      }
      if (o.cases().contains("fip")) {
        series.addAll(fipSamples());
        setup.done("floating IP samples");
      }
      rss = agents.stream().mapToDouble(AgentJvm::rssMb).sorted().toArray()[agents.size() / 2];
    } finally {
      watches.forEach(KernelWatch::close);
      agents.forEach(AgentJvm::close);
      if (cp != null) {
        cp.close();
      }
      down = lab.down().toMillis() / 1000.0;
      setup.done("agents, control plane and lab down");
    }
    int lost = series.stream().mapToInt(Series::lost).sum();
    return new Result(lab.hosts, qrouterWatch.size(), series, lost, up, down, agentsUp, rss, loadBefore, load());
  }

  private void startAgents(int clusterPort) {
    for (String host : lab.hostNames()) {
      cp.security().addHost(host);
      Map<String, String> env = new HashMap<>();
      env.put("DVR_SECURITY_DIR", cp.security().dir());
      env.put("DVR_HOST_NAME", host);
      env.put("DVR_AGENT_MODE", host.equals("network") ? "dvr_snat" : "dvr");
      env.put("DVR_AGENT_DATAPLANE", "linux");
      env.put("DVR_LINUX_LAB_DIR", o.labDir());
      env.put("DVR_LINUX_LAB_HOST", host);
      env.put("DVR_LINUX_STATE_DIR", runDir.resolve("state-" + host).toString());
      env.put("DVR_AGENT_TUNNEL_IP", LabNet.underlay(host));
      env.put("DVR_API_ADDRESS", "127.0.0.1:" + cp.apiPort());
      env.put("DVR_HOST_AGENT_PORT", "0");
      env.put("DVR_AGENT_RESYNC_SECONDS", "3600");
      if (o.viaRelay()) {
        env.put("DVR_AGENT_RELAYS", "127.0.0.1:" + relayPort);
      } else {
        env.put("DVR_CLUSTER_ENABLED", "true");
        env.put("DVR_CLUSTER_LITE_MEMBER", "true");
        env.put("DVR_CLUSTER_HOST", "127.0.0.1");
        env.put("DVR_CLUSTER_PORT", String.valueOf(freePort()));
        env.put("DVR_CLUSTER_MEMBERS", "127.0.0.1:" + clusterPort);
        env.put("DVR_CLUSTER_NAME", "real-bench-" + ProcessHandle.current().pid() + "-" + lab.hosts);
      }
      // 30 JVMs joining a cluster on 2 shared cores take longer than a lone agent's 120 s.
      env.put("DVR_START_TIMEOUT_SECONDS", "900");
      env.putAll(o.agentEnv());
      agents.add(AgentJvm.start(host, o.agentJar(), o.heap(), o.agentJvmFlags(), env, runDir.resolve("logs")));
      // Started a few at a time: all at once, their JIT and cluster joins starve each other.
      if (agents.size() % AGENTS_AT_ONCE == 0 && agents.size() < lab.hosts) {
        int started = agents.size();
        Waits.until(cp.vertx, started + " agents registered", 900_000, () -> {
          requireAgentsAlive();
          return cp.api.agentCount().await() >= started;
        });
      }
    }
  }

  private void requireAgentsAlive() {
    for (AgentJvm a : agents) {
      if (!a.alive()) {
        throw new IllegalStateException("the agent of " + a.host + " exited; see " + a.log);
      }
    }
  }

  private void build() {
    Api api = cp.api;
    Network ext = api.network("ext", true).await();
    extNetId = ext.getId();
    api.externalSubnet(extNetId, EXT_CIDR, "192.168.1.1", "192.168.1.100", "192.168.1.250").await();
    Network net = api.network("bench", false).await();
    netId = net.getId();
    Subnet sub = api.subnet(netId, "bench-subnet", "10.10.0.0/16").await();
    subnetId = sub.getId();
    Router r = api.router("bench-router").await();
    routerId = r.getId();
    api.addInterface(routerId, subnetId).await();
    api.setGateway(routerId, extNetId).await();
    List<String> computes = lab.computes();
    for (int k = 1; k <= computes.size(); k++) {
      String host = computes.get(k - 1);
      Port vm = api.vmPort(netId, subnetId, "10.10.1." + k, null, host).await();
      api.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
          .setFloatingNetworkId(extNetId).setPortId(vm.getId()).build()).await();
      spare.put(host, api.vmPort(netId, subnetId, "10.10.2." + k, null, host).await());
    }
  }

  /** Setup (not measured): polls each host until it holds the router, its ports' neighbours and its floating IP. */
  private void awaitSetupOnHosts() {
    String qrouter = Names.qrouterNamespace(routerId);
    List<String> computes = lab.computes();
    Waits.until(cp.vertx, "every host holds " + qrouter + " with all neighbours, every compute its FIP rule", 900_000,
        () -> {
          requireAgentsAlive();
          for (String host : lab.hostNames()) {
            if (!lab.onHost(host, "ip", "netns", "list").contains(qrouter)) {
              return false;
            }
            String neigh;
            try {
              neigh = lab.onHost(host, "ip", "-n", qrouter, "neigh", "show");
            } catch (IllegalStateException e) {
              // Listed before it is mounted: ip netns add makes the file first ("setting the network
              // namespace failed: Invalid argument" meanwhile). Not there yet.
              return false;
            }
            for (int k = 1; k <= computes.size(); k++) {
              if (!neigh.contains("10.10.1." + k + " ") || !neigh.contains("10.10.2." + k + " ")) {
                return false;
              }
            }
          }
          for (int k = 1; k <= computes.size(); k++) {
            if (!lab.onHost(computes.get(k - 1), "ip", "-n", qrouter, "rule", "show").contains("from 10.10.1." + k + " ")) {
              return false;
            }
          }
          return true;
        });
  }

  private void startWatches() {
    String qrouter = Names.qrouterNamespace(routerId);
    String fip = Names.fipNamespace(extNetId);
    for (String host : lab.hostNames()) {
      qrouterWatch.put(host, watch(host + "-qrouter", host, "stdbuf", "-oL", "ip", "-ts", "-n", qrouter, "monitor", "neigh",
          "rule", "route", "address"));
    }
    for (String host : lab.computes()) {
      flowWatch.put(host, watch(host + "-br-int", host, "stdbuf", "-oL", "ovs-ofctl", "--timestamp", "monitor", "br-int", "watch:"));
      tagWatch.put(host, watch(host + "-tag", host, "stdbuf", "-oL", "ovsdb-client", "--timestamp", "monitor",
          "Open_vSwitch", "Port", "name,tag"));
      fipWatch.put(host, watch(host + "-fip", host, "stdbuf", "-oL", "ip", "-ts", "-n", fip, "monitor", "route"));
      natWatch.put(host, watch(host + "-nat", host, "ip", "netns", "exec", qrouter, "stdbuf", "-oL", "xtables-monitor",
          "-e"));
    }
  }

  /**
   * Waits until every monitor reports what it watches: on each, a harmless change of its kind is
   * made and undone (an address on the namespace's lo, a blackhole route, a flow in an unused
   * table, a filter chain) until a line naming it comes, so no sample starts before its monitor.
   */
  private void awaitWatchesSubscribed() throws InterruptedException {
    String qrouter = Names.qrouterNamespace(routerId);
    String fip = Names.fipNamespace(extNetId);
    for (String host : lab.hostNames()) {
      probe(qrouterWatch.get(host), "127.0.0.53", () -> lab.onHost(host, "ip", "-n", qrouter, "addr", "add",
          "127.0.0.53/8", "dev", "lo"), () -> lab.onHost(host, "ip", "-n", qrouter, "addr", "del", "127.0.0.53/8", "dev", "lo"));
    }
    for (String host : lab.computes()) {
      probe(flowWatch.get(host), "table=250", () -> lab.onHost(host, "ovs-ofctl", "add-flow", "br-int",
          "table=250,priority=1,cookie=0x5eed,actions=drop"),
          () -> lab.onHost(host, "ovs-ofctl", "del-flows", "br-int", "table=250,cookie=0x5eed/-1"));
      probe(tagWatch.get(host), "bprobe", () -> lab.onHost(host, "ovs-vsctl", "add-port", "br-int", "bprobe", "--", "set",
          "Interface", "bprobe", "type=internal"), () -> lab.onHost(host, "ovs-vsctl", "del-port", "br-int", "bprobe"));
      probe(fipWatch.get(host), "192.0.2.53", () -> lab.onHost(host, "ip", "-n", fip, "route", "add", "blackhole",
          "192.0.2.53/32"), () -> lab.onHost(host, "ip", "-n", fip, "route", "del", "blackhole", "192.0.2.53/32"));
      probe(natWatch.get(host), "bench-probe", () -> lab.onHost(host, "ip", "netns", "exec", qrouter, "iptables", "-t",
          "filter", "-N", "bench-probe"), () -> lab.onHost(host, "ip", "netns", "exec", qrouter, "iptables", "-t",
          "filter", "-X", "bench-probe"));
    }
  }

  /** Makes and undoes the change until the watch reports a line containing {@code token}. */
  private static void probe(KernelWatch w, String token, Runnable make, Runnable undo) throws InterruptedException {
    for (int attempt = 0; attempt < 20; attempt++) {
      int mark = w.mark();
      make.run();
      long seen = w.await(mark, l -> l.contains(token), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500));
      undo.run();
      if (seen >= 0) {
        return;
      }
    }
    throw new IllegalStateException("monitor " + w.name + " reported nothing of its probe (" + token + ") in 20 tries;"
        + " its last lines:\n" + w.tail(8));
  }

  private KernelWatch watch(String name, String host, String... cmd) {
    KernelWatch w = KernelWatch.start(name, lab.onHost(host, List.of(cmd)));
    watches.add(w);
    return w;
  }

  /** A condition on one watch, looked for from the mark taken before the sample acted. */
  private record Expect(KernelWatch watch, int mark, Predicate<String> line) {
    static Expect on(KernelWatch w, Predicate<String> line) {
      return new Expect(w, w.mark(), line);
    }
  }

  /** Waits for every expectation; the latest stamp and arrival, or null when one did not come in time (it says which). */
  private static Seen awaitAll(List<Expect> expects, long start, String what) throws InterruptedException {
    long stamped = start;
    long read = start;
    StringBuilder each = new StringBuilder();
    for (Expect e : expects) {
      KernelWatch.Line at = e.watch().awaitLine(e.mark(), e.line(), start + SAMPLE_TIMEOUT_NS);
      if (at == null) {
        System.out.println(what + ": nothing on " + e.watch().name + " in time (alive " + e.watch().alive()
            + "); its last lines:\n" + e.watch().tail(8));
        return null;
      }
      stamped = Math.max(stamped, at.stamped());
      read = Math.max(read, at.nanos());
      each.append(each.isEmpty() ? "" : ", ").append(e.watch().name).append(fmt(" +%.1f", (at.stamped() - start) / 1e6));
    }
    return new Seen(stamped, read, each.toString());
  }

  /**
   * {@code --burst}: ports created and deleted one after another (each bound to a compute in turn,
   * no OVS interface plugged: its ARP entries go to every host, no flow), each sent when the last
   * was answered. Then one more, awaited as a sample is, in every qrouter- and gone from them: the
   * hosts have caught up (an entry made and deleted within one apply of a host is never seen).
   */
  private void portBurst() throws Exception {
    if (o.burst() == 0) {
      return;
    }
    long t = System.nanoTime();
    List<String> computes = lab.computes();
    for (int i = 0; i <= o.burst(); i++) {
      String ip = fmt("10.10.%d.%d", 100 + i / 250 % 100, 1 + i % 250);
      boolean last = i == o.burst();
      List<Expect> made = new ArrayList<>();
      if (last) {
        qrouterWatch.values().forEach(w -> made.add(Expect.on(w, l -> !l.startsWith("Deleted") && l.startsWith(ip + " dev qr-")
            && l.contains("PERMANENT"))));
      }
      Port p = cp.api.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder()
          .setNetworkId(netId).setName("burst-" + i).setDeviceOwner("compute:nova")
          .setBindingHost(computes.get(i % computes.size()))
          .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(subnetId).setIpAddress(ip)).build()).await();
      List<Expect> gone = new ArrayList<>();
      if (last) {
        awaitOrFail(made, "the port after the burst");
        qrouterWatch.values().forEach(w -> gone.add(Expect.on(w, l -> l.startsWith("Deleted " + ip + " dev qr-"))));
      }
      cp.api.call(PortServiceGrpcClient.DeletePort, DeletePortRequest.newBuilder().setId(p.getId()).build()).await();
      if (last) {
        awaitOrFail(gone, "the port after the burst deleted");
      }
    }
    System.out.printf("%d hosts: a burst of %d port creates and deletes, and every host caught up, in %.1f s%n",
        lab.hosts, o.burst(), (System.nanoTime() - t) / 1e9);
  }

  private static void awaitOrFail(List<Expect> expects, String what) throws InterruptedException {
    if (awaitAll(expects, System.nanoTime(), what) == null) {
      throw new IllegalStateException(what + ": not seen on every host within " + SAMPLE_TIMEOUT_NS / 1_000_000_000
          + " s");
    }
  }

  private List<Series> portSamples() throws Exception {
    portBurst();
    int total = o.warmup() + o.samples();
    List<String> computes = lab.computes();
    // Per sample: [stamped, read] of each row.
    long[][] create = new long[2][o.samples()];
    long[] createReply = new long[o.samples()];
    long[][] flows = new long[2][o.samples()];
    long[][] tags = new long[2][o.samples()];
    long[][] delete = new long[2][o.samples()];
    long[][] flowsGone = new long[2][o.samples()];
    long[] deleteReply = new long[o.samples()];
    int lostCreate = 0;
    int lostDelete = 0;
    int measured = 0;
    for (int i = 0; i < total; i++) {
      String host = computes.get(i % computes.size());
      String id = UUID.randomUUID().toString();
      String mac = fmt("fa:16:3e:b0:%02x:%02x", i / 256, i % 256);
      String ip = fmt("10.10.%d.%d", 3 + i / 250, 1 + i % 250);
      String tap = "bp" + i;
      // Plugged first, as Nova plugs a VM's port: the agent finds its ofport when the port is bound here.
      lab.onHost(host, "ovs-vsctl", "add-port", "br-int", tap, "--", "set", "Interface", tap, "type=internal",
          "external_ids:iface-id=" + id, "external_ids:attached-mac=" + mac, "external_ids:iface-status=active");
      Thread.sleep(o.gapMs());
      List<Expect> neigh = new ArrayList<>();
      qrouterWatch.values().forEach(w -> neigh.add(Expect.on(w, l -> !l.startsWith("Deleted") && l.startsWith(ip + " dev qr-")
          && l.contains(mac) && l.contains("PERMANENT"))));
      Expect flow = Expect.on(flowWatch.get(host), l -> l.contains("event=ADDED") && l.contains("dl_dst=" + mac));
      // The VM port's VLAN tag as ovsdb-server committed it: the "new" row of its Port, with a tag.
      java.util.regex.Pattern tagged = java.util.regex.Pattern.compile("^\\s+new\\s+" + tap + "\\s+\\d+\\s*$");
      Expect tag = Expect.on(tagWatch.get(host), l -> tagged.matcher(l).matches());
      long t0 = System.nanoTime();
      java.time.Instant sentAt = java.time.Instant.now();
      AtomicLong replied = new AtomicLong();
      Future<Port> reply = cp.api.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setId(id)
          .setNetworkId(netId).setName("sample-" + i).setDeviceOwner("compute:nova").setBindingHost(host)
          .setMacAddress(mac).addFixedIps(FixedIpRequest.newBuilder().setSubnetId(subnetId).setIpAddress(ip)).build())
          .onSuccess(p -> replied.set(System.nanoTime()));
      Seen allNeigh = awaitAll(neigh, t0, "port " + ip + " created on " + host + ": neighbour");
      Seen flowAt = awaitAll(List.of(flow), t0, "port " + ip + " created on " + host + ": flow");
      Seen tagAt = awaitAll(List.of(tag), t0, "port " + ip + " created on " + host + ": VLAN tag");
      reply.await();
      // The wall clock of the send, to lay the agents' log lines (ms) beside each sample.
      System.out.printf("sample %d: port %s on %s sent %s, reply +%.1f, neighbours +%s, flow +%s, tag +%s ms%n", i, mac,
          host, sentAt, (replied.get() - t0) / 1e6, ms(allNeigh, t0), ms(flowAt, t0), ms(tagAt, t0));
      boolean keep = i >= o.warmup();
      if (keep) {
        if (allNeigh == null || flowAt == null || tagAt == null) {
          lostCreate++;
        } else {
          put(create, measured, allNeigh, t0);
          put(flows, measured, flowAt, t0);
          put(tags, measured, tagAt, t0);
          createReply[measured] = replied.get() - t0;
        }
      }
      Thread.sleep(o.gapMs());
      List<Expect> gone = new ArrayList<>();
      qrouterWatch.values().forEach(w -> gone.add(Expect.on(w, l -> l.startsWith("Deleted " + ip + " dev qr-"))));
      Expect flowGone = Expect.on(flowWatch.get(host), l -> l.contains("event=DELETED") && l.contains("dl_dst=" + mac));
      t0 = System.nanoTime();
      sentAt = java.time.Instant.now();
      AtomicLong deleted = new AtomicLong();
      Future<?> del = cp.api.call(PortServiceGrpcClient.DeletePort, DeletePortRequest.newBuilder().setId(id).build())
          .onSuccess(x -> deleted.set(System.nanoTime()));
      Seen goneAt = awaitAll(gone, t0, "port " + ip + " deleted on " + host + ": neighbour");
      Seen flowGoneAt = awaitAll(List.of(flowGone), t0, "port " + ip + " deleted on " + host + ": flow");
      del.await();
      System.out.printf("sample %d: port %s deleted on %s sent %s, reply +%.1f, neighbours gone +%s, flow gone +%s ms%n", i,
          mac, host, sentAt, (deleted.get() - t0) / 1e6, ms(goneAt, t0), ms(flowGoneAt, t0));
      if (keep) {
        if (goneAt == null || flowGoneAt == null) {
          lostDelete++;
        } else {
          put(delete, measured, goneAt, t0);
          put(flowsGone, measured, flowGoneAt, t0);
          deleteReply[measured] = deleted.get() - t0;
        }
        if (allNeigh != null && flowAt != null && tagAt != null && goneAt != null && flowGoneAt != null) {
          measured++;
        }
      }
      lab.onHost(host, "ovs-vsctl", "del-port", "br-int", tap);
      Thread.sleep(o.gapMs());
      if (i % 10 == 9) {
        System.out.printf("%d hosts: %d of %d port samples%n", lab.hosts, i + 1, total);
      }
    }
    return List.of(series("port created: neighbour in every qrouter-", create, createReply, measured, lostCreate),
        series("port created: its flow on its host's br-int", flows, createReply, measured, lostCreate),
        series("port created: its VM port's VLAN tag in its host's OVSDB", tags, createReply, measured, lostCreate),
        series("port deleted: neighbour gone from every qrouter-", delete, deleteReply, measured, lostDelete),
        series("port deleted: its flow gone from br-int", flowsGone, deleteReply, measured, lostDelete));
  }

  /**
   * {@code --burst} for floating IPs: made and deleted one after another on the computes' spare
   * ports in turn, each sent when the last was answered (the pool's lowest free address each time);
   * then one more with the pool's last address, which no other takes, awaited in its host's fip-
   * as a sample is, made and gone.
   */
  private void floatingIpBurst() throws Exception {
    if (o.burst() == 0) {
      return;
    }
    long t = System.nanoTime();
    List<String> computes = lab.computes();
    for (int i = 0; i <= o.burst(); i++) {
      String host = computes.get(i % computes.size());
      boolean last = i == o.burst();
      CreateFloatingIpRequest.Builder create = CreateFloatingIpRequest.newBuilder().setFloatingNetworkId(extNetId)
          .setPortId(spare.get(host).getId());
      Expect made = null;
      if (last) {
        create.setFloatingIpAddress(BURST_LAST_FIP);
        made = Expect.on(fipWatch.get(host), l -> !l.startsWith("Deleted") && l.startsWith(BURST_LAST_FIP + " via "));
      }
      FloatingIp fip = cp.api.call(FloatingIpServiceGrpcClient.CreateFloatingIp, create.build()).await();
      Expect gone = null;
      if (last) {
        awaitOrFail(List.of(made), "the floating IP after the burst");
        gone = Expect.on(fipWatch.get(host), l -> l.startsWith("Deleted " + BURST_LAST_FIP + " via "));
      }
      cp.api.call(FloatingIpServiceGrpcClient.DeleteFloatingIp, DeleteFloatingIpRequest.newBuilder()
          .setId(fip.getId()).build()).await();
      if (last) {
        awaitOrFail(List.of(gone), "the floating IP after the burst deleted");
      }
    }
    System.out.printf("%d hosts: a burst of %d floating IP creates and deletes, and its host caught up, in %.1f s%n",
        lab.hosts, o.burst(), (System.nanoTime() - t) / 1e9);
  }

  private List<Series> fipSamples() throws Exception {
    floatingIpBurst();
    int total = o.warmup() + o.samples();
    List<String> computes = lab.computes();
    long[][] create = new long[2][o.samples()];
    long[] createReply = new long[o.samples()];
    long[][] delete = new long[2][o.samples()];
    long[] deleteReply = new long[o.samples()];
    int lost = 0;
    int measured = 0;
    for (int i = 0; i < total; i++) {
      String host = computes.get(i % computes.size());
      Port port = spare.get(host);
      String fixed = port.getFixedIps(0).getIpAddress();
      KernelWatch qr = qrouterWatch.get(host);
      int qrMark = qr.mark();
      int natMark = natWatch.get(host).mark();
      int fipMark = fipWatch.get(host).mark();
      long t0 = System.nanoTime();
      java.time.Instant sentAt = java.time.Instant.now();
      FloatingIp fip = cp.api.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
          .setFloatingNetworkId(extNetId).setPortId(port.getId()).build()).await();
      long replied = System.nanoTime();
      String address = fip.getFloatingIpAddress();
      List<Expect> made = List.of(
          new Expect(qr, qrMark, l -> !l.startsWith("Deleted") && l.contains("from " + fixed + " lookup 16")),
          new Expect(natWatch.get(host), natMark, l -> l.contains("-A ") && l.contains("-d " + address + "/32")
              && l.contains("DNAT")),
          new Expect(fipWatch.get(host), fipMark, l -> !l.startsWith("Deleted") && l.startsWith(address + " via ")));
      Seen madeAt = awaitAll(made, t0, "floating IP " + address + " on " + host);
      System.out.printf("sample %d: floating IP %s on %s sent %s, reply +%.1f, made +%s ms%n", i, address, host, sentAt,
          (replied - t0) / 1e6, ms(madeAt, t0));
      Thread.sleep(o.gapMs());
      List<Expect> gone = List.of(
          Expect.on(qr, l -> l.startsWith("Deleted") && l.contains("from " + fixed + " lookup 16")),
          Expect.on(natWatch.get(host), l -> l.startsWith("NEWGEN")),
          Expect.on(fipWatch.get(host), l -> l.startsWith("Deleted " + address + " via ")));
      long t1 = System.nanoTime();
      sentAt = java.time.Instant.now();
      cp.api.call(FloatingIpServiceGrpcClient.DeleteFloatingIp, DeleteFloatingIpRequest.newBuilder()
          .setId(fip.getId()).build()).await();
      long deleted = System.nanoTime();
      Seen goneAt = awaitAll(gone, t1, "floating IP " + address + " deleted on " + host);
      System.out.printf("sample %d: floating IP %s deleted on %s sent %s, reply +%.1f, gone +%s ms%n", i, address, host,
          sentAt, (deleted - t1) / 1e6, ms(goneAt, t1));
      if (i >= o.warmup()) {
        if (madeAt == null || goneAt == null) {
          lost++;
        } else {
          put(create, measured, madeAt, t0);
          createReply[measured] = replied - t0;
          put(delete, measured, goneAt, t1);
          deleteReply[measured] = deleted - t1;
          measured++;
        }
      }
      Thread.sleep(o.gapMs());
      if (i % 10 == 9) {
        System.out.printf("%d hosts: %d of %d floating IP samples%n", lab.hosts, i + 1, total);
      }
    }
    return List.of(series("floating IP created: rule, NAT, fip- route on its host", create, createReply, measured, lost),
        series("floating IP deleted: rule, NAT, fip- route gone", delete, deleteReply, measured, lost));
  }

  private static long[] trim(long[] a, int n) {
    return java.util.Arrays.copyOf(a, n);
  }

  /** Sample {@code k} of a row: its stamp and its arrival, from {@code t0}. */
  private static void put(long[][] row, int k, Seen seen, long t0) {
    row[0][k] = seen.stamped() - t0;
    row[1][k] = seen.read() - t0;
  }

  private static Series series(String what, long[][] row, long[] reply, int measured, int lost) {
    return new Series(what, trim(row[0], measured), trim(row[1], measured), trim(reply, measured), lost);
  }

  /** A sample's figure for its log line: as stamped / as read, or -1 when it did not come. */
  private static String ms(Seen seen, long t0) {
    return seen == null ? "-1" : fmt("%.1f (read +%.1f; %s)", seen.stampedMs(t0), seen.readMs(t0), seen.each());
  }

  private static String fmt(String f, Object... args) {
    return ConvergenceBench.fmt(f, args);
  }

  static String load() {
    try {
      String[] l = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return "load " + l[0] + " " + l[1] + " " + l[2];
    } catch (IOException e) {
      return "load n/a";
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

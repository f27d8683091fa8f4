package io.dvr.bench;

import io.dvr.agent.Drivers;
import io.dvr.agent.HostConfig;
import io.dvr.agent.HostPipeline;
import io.dvr.agent.driver.linux.Command;
import io.dvr.agent.driver.linux.CommandRunner;
import io.dvr.agent.driver.linux.FactsFile;
import io.dvr.agent.driver.linux.HostShell;
import io.dvr.agent.driver.linux.LinuxHost;
import io.dvr.agent.driver.linux.LinuxOptions;
import io.dvr.agent.reconcile.Reconciler;
import io.dvr.agent.render.HostParts;
import io.dvr.agent.render.TunnelType;
import io.dvr.proto.v1.FloatingIpInfo;
import io.dvr.proto.v1.HostPeer;
import io.dvr.proto.v1.HostPort;
import io.dvr.proto.v1.HostPortIp;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.LocalPortInfo;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import io.dvr.proto.v1.TunnelNetwork;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Linux dataplane on one real labnet host (labnet/host.sh, a private LABNET_DIR): time to
 * apply a router with 1, 100 and 1,000 floating IPs and 100 routers from an empty host, batched and
 * one command per change, plus the restart resync of an agent carrying 1,000 FIPs (a new
 * pipeline on a new Linux driver for the same host and state file). Each apply is followed by a read back (observe +
 * diff against the desired state), which must find nothing to do. Needs root and the lab's tools.
 *
 * <p>Arguments: {@code [repetitions (2)] [labnet dir (labnet)] [cases (fips,routers)] [modes (batched,per-change)]};
 * the cases are {@code fips} (1, 100, 1,000 FIPs and the restart resync), {@code fips1000} (1,000 FIPs alone),
 * {@code routers} (100 routers) and {@code full} (100 routers with 10 FIPs each, the first apply of a
 * network node's worth of routers).
 */
public final class LinuxApplyBench {
  private static final String HOST = "lab";
  private static final String MODE = "dvr";
  private static final String DVR_MAC = "fa:16:3f:00:00:61";
  private static final long TIMEOUT_S = 600;

  private final Vertx vertx;
  private final HostShell shell;
  private final CommandRunner probe;

  private LinuxApplyBench(Vertx vertx, HostShell shell) {
    this.vertx = vertx;
    this.shell = shell;
    this.probe = CommandRunner.withPool(shell, 1);
  }

  public static void main(String[] args) throws Exception {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    Path labnet = Path.of(args.length > 1 ? args[1] : "labnet").toAbsolutePath();
    // Which cases: fips (1, 100, 1,000 FIPs and the restart resync), routers (100 routers); default both.
    List<String> cases = List.of((args.length > 2 ? args[2] : "fips,routers").split(","));
    List<String> modes = List.of((args.length > 3 ? args[3] : "batched,per-change").split(","));
    Path labDir = Files.createTempDirectory("dvr-bench-labnet-");
    String name = "b" + UUID.randomUUID().toString().substring(0, 8);
    CommandRunner root = CommandRunner.withPool(HostShell.local(), 1);
    Vertx vertx = Vertx.vertx();
    long t0 = System.nanoTime();
    root.run(Command.of("env", "LABNET_DIR=" + labDir, "bash", labnet.resolve("host.sh").toString(), "up", name)
        .withTimeout(java.time.Duration.ofSeconds(60)));
    System.out.printf(Locale.ROOT, "lab host %s up in %s (%.0f ms)%n", name, labDir, ms(t0));
    LinuxApplyBench bench = new LinuxApplyBench(vertx, HostShell.labHost(name, labDir.resolve("ns").toString()));
    try {
      bench.run(reps, cases, modes);
    } finally {
      bench.probe.close();
      await(vertx.close());
      root.run(Command.of("env", "LABNET_DIR=" + labDir, "bash", labnet.resolve("host.sh").toString(), "down", name)
          .withTimeout(java.time.Duration.ofSeconds(60)));
      root.close();
      System.out.println("lab host " + name + " down");
    }
  }

  private void run(int reps, List<String> cases, List<String> modes) throws Exception {
    System.out.println("case | mode | rep | operations | apply ms | read-back ms | processes (apply) | left after read-back");
    boolean[] batchModes = modes.contains("per-change") && modes.contains("batched") ? new boolean[] {true, false}
        : new boolean[] {!modes.contains("per-change")};
    int[] fipCounts = cases.contains("fips") ? new int[] {1, 100, 1000}
        : cases.contains("fips1000") ? new int[] {1000} : new int[0];
    for (int fips : fipCounts) {
      HostRouters routers = fipRouter(fips);
      for (boolean batch : batchModes) {
        int n = !batch && fips == 1000 ? 1 : reps;
        for (int rep = 1; rep <= n; rep++) {
          boolean keep = batch && fips == 1000 && rep == n;
          Path state = Files.createTempDirectory("dvr-bench-state-");
          measure(fips + " FIPs", routers, batch, rep, state);
          if (keep) {
            restart(routers, state, reps + 1);
          }
          clean(state);
        }
      }
    }
    for (String c : List.of("routers", "full")) {
      if (!cases.contains(c)) {
        continue;
      }
      HostRouters hundred = routers100(c.equals("full") ? 10 : 0);
      addVmPorts(hundred);
      for (boolean batch : batchModes) {
        for (int rep = 1; rep <= reps; rep++) {
          Path state = Files.createTempDirectory("dvr-bench-state-");
          measure(c.equals("full") ? "100 routers x 10 FIPs" : "100 routers", hundred, batch, rep, state);
          clean(state);
        }
      }
      removeVmPorts();
    }
  }

  /** Deletes the benchmark's VM ports from br-int in one ovs-vsctl call. */
  private void removeVmPorts() {
    List<String> argv = new ArrayList<>(List.of("ovs-vsctl"));
    for (String port : probe.run(cmd("ovs-vsctl", "list-ports", "br-int")).stdout().split("\\s+")) {
      if (port.startsWith("vm")) {
        argv.addAll(List.of("--", "--if-exists", "del-port", "br-int", port));
      }
    }
    if (argv.size() > 1) {
      probe.run(cmd(argv.toArray(String[]::new)));
    }
  }

  /** The agent's pipeline on a new Linux driver for the host, its facts in {@code state}. */
  private HostPipeline dataplane(Path state, boolean batch) {
    // -Ddvr.linux.lanes=N: how many lanes (and processes) at once, as the agent's linux.lanes setting.
    LinuxOptions lanes = LinuxOptions.defaults().withLanes(Integer.getInteger("dvr.linux.lanes", 4));
    LinuxOptions options = batch ? lanes : lanes.withoutBatching();
    LinuxHost host = new LinuxHost(HOST, CommandRunner.withPool(shell, options.lanes()), options);
    return new HostPipeline(vertx, Drivers.linux(host, new FactsFile(state, HOST)),
        new HostConfig(HOST, MODE, TunnelType.VXLAN, "172.31.9.1"));
  }

  private static LinuxHost host(HostPipeline dp) {
    return (LinuxHost) dp.driver();
  }

  /** One apply from an empty host, then a read back that must find nothing to do. */
  private void measure(String what, HostRouters routers, boolean batch, int rep, Path state) throws Exception {
    HostPipeline dp = dataplane(state, batch);
    try {
      long p0 = host(dp).runner().processesStarted();
      long t0 = System.nanoTime();
      int ops = await(dp.apply(routers));
      double applyMs = ms(t0);
      long processes = host(dp).runner().processesStarted() - p0;
      long t1 = System.nanoTime();
      int left = Reconciler.diff(dp.desired(routers), host(dp).observe()).size();
      double readMs = ms(t1);
      System.out.printf(Locale.ROOT, "%s | %s | %d | %d | %.0f | %.0f | %d | %d%n", what,
          batch ? "batched" : "per change", rep, ops, applyMs, readMs, processes, left);
    } finally {
      await(dp.close());
    }
  }

  /** Agent restarts: a new dataplane on the same host and state file applies the same routers. */
  private void restart(HostRouters routers, Path state, int times) throws Exception {
    for (int i = 1; i <= times; i++) {
      HostPipeline dp = dataplane(state, true);
      try {
        long p0 = host(dp).runner().processesStarted();
        long t0 = System.nanoTime();
        int ops = await(dp.apply(routers));
        double applyMs = ms(t0);
        System.out.printf(Locale.ROOT, "restart resync 1000 FIPs | batched | %d | %d | %.0f | - | %d | -%n", i, ops,
            applyMs, host(dp).runner().processesStarted() - p0);
      } finally {
        await(dp.close());
      }
    }
  }

  /** Applies no routers (removing everything ours) and checks that no namespace is left. */
  private void clean(Path state) throws Exception {
    HostPipeline dp = dataplane(state, true);
    try {
      await(dp.apply(HostRouters.newBuilder().setHost(HOST).setAgentMode(MODE).setDvrMac(DVR_MAC).build()));
    } finally {
      await(dp.close());
    }
    String left = probe.run(cmd("ip", "netns", "list")).stdout().strip();
    if (!left.isEmpty()) {
      throw new IllegalStateException("namespaces left after cleaning: " + left);
    }
    try (Stream<Path> files = Files.walk(state)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary state file is harmless
    }
  }

  private static String id() {
    return UUID.randomUUID().toString();
  }

  private static HostRouters.Builder base() {
    return HostRouters.newBuilder().setHost(HOST).setAgentMode(MODE).setDvrMac(DVR_MAC)
        .addPeers(HostPeer.newBuilder().setHost(HOST).setTunnelIp("172.31.9.1"))
        .addPeers(HostPeer.newBuilder().setHost("peer").setDvrMac("fa:16:3f:00:00:62").setTunnelIp("172.31.9.2"));
  }

  private static RouterPortInfo port(String mac, String ip, String cidr, String subnet, String network, int seg,
      String gatewayIp) {
    return RouterPortInfo.newBuilder().setPortId(id()).setMacAddress(mac).setIpAddress(ip).setCidr(cidr)
        .setSubnetId(subnet).setNetworkId(network).setSegmentationId(seg).setGatewayIp(gatewayIp).build();
  }

  /** One DVR router (compute host: no SNAT here) with one interface and {@code n} FIPs through this host's fip-. */
  static HostRouters fipRouter(int n) {
    String net = id();
    String subnet = id();
    String ext = id();
    String extSubnet = id();
    RouterPortInfo qr = port("fa:16:3e:20:00:01", "10.64.0.1", "10.64.0.0/16", subnet, net, 100, "");
    RouterPortInfo gw = port("fa:16:3e:20:00:02", "172.24.0.3", "172.24.0.0/16", extSubnet, ext, 0, "172.24.0.1");
    RouterPortInfo fg = port("fa:16:3e:20:00:03", "172.24.0.2", "172.24.0.0/16", extSubnet, ext, 0, "172.24.0.1");
    RouterInfo.Builder r = RouterInfo.newBuilder().setRouterId(id()).setRevision(1).setAdminStateUp(true)
        .setDistributed(true).addInterfaces(qr).setGatewayPort(gw).setFipAgentGateway(fg);
    for (int i = 0; i < n; i++) {
      String fixed = "10.64." + (1 + i / 250) + "." + (2 + i % 250);
      String floating = "172.24." + (1 + i / 250) + "." + (2 + i % 250);
      r.addFloatingIps(FloatingIpInfo.newBuilder().setFloatingIpId(id()).setFloatingIpAddress(floating)
          .setFixedIpAddress(fixed).setPortId(id()).setFloatingNetworkId(ext));
    }
    return base().addNetworks(TunnelNetwork.newBuilder().setNetworkId(net).setSegmentationId(100)).addRouters(r)
        .build();
  }

  /**
   * 100 DVR routers, each with one interface on its own network and one VM port on this host; with
   * {@code fips} > 0 each also has a gateway and that many floating IPs through this host's fip-.
   */
  static HostRouters routers100(int fips) {
    HostRouters.Builder h = base();
    String ext = id();
    String extSubnet = id();
    RouterPortInfo fg = port("fa:16:3e:20:00:03", "172.24.0.2", "172.24.0.0/16", extSubnet, ext, 0, "172.24.0.1");
    for (int i = 0; i < 100; i++) {
      String net = id();
      String subnet = id();
      String mac = String.format(Locale.ROOT, "fa:16:3e:21:%02x:01", i);
      String vmMac = String.format(Locale.ROOT, "fa:16:3e:22:%02x:05", i);
      RouterPortInfo qr = port(mac, "10.100." + i + ".1", "10.100." + i + ".0/24", subnet, net, 200 + i, "");
      HostPort vm = HostPort.newBuilder().setPortId(id()).setMacAddress(vmMac).setNetworkId(net)
          .setSegmentationId(200 + i).setDeviceOwner("compute:nova")
          .addFixedIps(HostPortIp.newBuilder().setSubnetId(subnet).setIpAddress("10.100." + i + ".5")).build();
      h.addNetworks(TunnelNetwork.newBuilder().setNetworkId(net).setSegmentationId(200 + i)).addPorts(vm);
      RouterInfo.Builder r = RouterInfo.newBuilder().setRouterId(id()).setRevision(1).setAdminStateUp(true)
          .setDistributed(true).addInterfaces(qr).addLocalPortIds(vm.getPortId());
      if (fips > 0) {
        String gwMac = String.format(Locale.ROOT, "fa:16:3e:23:%02x:02", i);
        r.setGatewayPort(port(gwMac, "172.24.200." + (i + 2), "172.24.0.0/16", extSubnet, ext, 0, "172.24.0.1"))
            .setFipAgentGateway(fg);
      }
      for (int f = 0; f < fips; f++) {
        r.addFloatingIps(FloatingIpInfo.newBuilder().setFloatingIpId(id())
            .setFloatingIpAddress("172.24." + (1 + i) + "." + (2 + f)).setFixedIpAddress("10.100." + i + "." + (10 + f))
            .setPortId(id()).setFloatingNetworkId(ext));
      }
      h.addRouters(r);
    }
    return h.build();
  }

  /** The VMs' ports as Nova would plug them (untimed): OVS internal ports carrying the Neutron port ids. */
  private void addVmPorts(HostRouters routers) {
    List<String> argv = new ArrayList<>(List.of("ovs-vsctl"));
    int i = 0;
    for (RouterInfo r : routers.getRoutersList()) {
      for (LocalPortInfo p : HostParts.localPorts(routers, r)) {
        String dev = "vm" + i++;
        argv.addAll(List.of("--", "add-port", "br-int", dev, "--", "set", "Interface", dev, "type=internal",
            "external_ids:iface-id=" + p.getPortId()));
      }
    }
    probe.run(cmd(argv.toArray(String[]::new)));
  }

  private static Command cmd(String... argv) {
    return Command.of(argv).withTimeout(java.time.Duration.ofSeconds(60));
  }

  private static double ms(long since) {
    return (System.nanoTime() - since) / 1e6;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
  }
}

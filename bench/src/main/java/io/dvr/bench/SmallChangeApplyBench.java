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
import io.dvr.agent.render.TunnelType;
import io.dvr.common.config.Settings;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.FloatingIpInfo;
import io.dvr.proto.v1.HostPort;
import io.dvr.proto.v1.HostPortIp;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The agent's part of one small change on one real labnet host (labnet/host.sh, a private
 * LABNET_DIR): the pipeline's apply (call to completion, on its worker) of one ARP entry added to
 * a router, of one floating IP added to and removed from a router that has one here, and of one VM
 * port bound here and unbound (its flows, its ARP entry; its ports read, no VM plugged), each
 * applied in full (every change before the incremental path), incrementally with a process per ip
 * batch ({@code linux.ip-sessions=false}), incrementally through the namespaces' ip sessions, and
 * as an agent runs by default (ip sessions, the bridges' ports over OVSDB's socket, the flows over
 * OpenFlow connections to the bridges).
 * After each case the host is read back and must hold what a full render wants. Needs root.
 *
 * <p>Arguments: {@code [samples (100)] [labnet dir (labnet)]}.
 */
public final class SmallChangeApplyBench {
  private static final String HOST = "lab";
  private static final long TIMEOUT_S = 120;
  private static final String SOCKETS = "incremental, ip session, OVSDB and OpenFlow sockets";

  private SmallChangeApplyBench() {}

  public static void main(String[] args) throws Exception {
    int samples = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    Path labnet = Path.of(args.length > 1 ? args[1] : "labnet").toAbsolutePath();
    Path labDir = Files.createTempDirectory("dvr-bench-labnet-");
    String name = "s" + UUID.randomUUID().toString().substring(0, 8);
    CommandRunner root = CommandRunner.withPool(HostShell.local(), 1);
    Vertx vertx = Vertx.vertx();
    root.run(Command.of("env", "LABNET_DIR=" + labDir, "bash", labnet.resolve("host.sh").toString(), "up", name)
        .withTimeout(Duration.ofSeconds(60)));
    HostShell shell = HostShell.labHost(name, labDir.resolve("ns").toString());
    try {
      System.out.println("| change | apply | samples | p50 (ms) | p99 (ms) | max (ms) | processes per apply |");
      System.out.println("|---|---|---:|---:|---:|---:|---:|");
      for (String mode : new String[] {"full", "incremental, a process per batch", "incremental, ip session",
          SOCKETS}) {
        run(vertx, shell, labDir, name, mode, samples);
      }
      System.out.printf(Locale.ROOT, "%n%s, %d CPUs; %s%n", java.time.Instant.now(),
          Runtime.getRuntime().availableProcessors(), RealConvergence.load());
    } finally {
      await(vertx.close());
      root.run(Command.of("env", "LABNET_DIR=" + labDir, "bash", labnet.resolve("host.sh").toString(), "down", name)
          .withTimeout(Duration.ofSeconds(60)));
      root.close();
    }
  }

  private static void run(Vertx vertx, HostShell shell, Path labDir, String labHost, String mode, int samples)
      throws Exception {
    Path state = Files.createTempDirectory("dvr-bench-state-");
    LinuxOptions options = LinuxOptions.defaults();
    // As an agent runs by default: ip sessions, the ports over OVSDB's socket, the flows over OpenFlow's.
    LinuxHost host = mode.equals(SOCKETS)
        ? LinuxHost.fromSettings(Settings.of(Map.of("linux.lab-dir", labDir.toString(), "linux.lab-host", labHost)),
            HOST)
        : new LinuxHost(HOST, CommandRunner.withPool(shell, options.lanes()), options, mode.endsWith("ip session"));
    HostPipeline dp = new HostPipeline(vertx, Drivers.linux(host, new FactsFile(state, HOST)),
        new HostConfig(HOST, "dvr", TunnelType.VXLAN, "172.31.9.1"));
    boolean full = mode.equals("full");
    try {
      HostRouters view = LinuxApplyBench.fipRouter(1);
      RouterInfo r = view.getRouters(0);
      String routerId = r.getRouterId();
      await(dp.apply(view));
      Timed arp = new Timed(dp, host, full, routerId, samples);
      for (int i = 0; i < samples; i++) {
        r = r.toBuilder().addArpEntries(ArpEntry.newBuilder().setIpAddress("10.64.100." + (1 + i % 250))
            .setMacAddress(String.format(Locale.ROOT, "fa:16:3e:30:%02x:%02x", i / 256, i % 256))
            .setSubnetId(r.getInterfaces(0).getSubnetId()).setPortId(UUID.randomUUID().toString())).build();
        view = view.toBuilder().setRouters(0, r).build();
        arp.apply(view);
      }
      row("one ARP entry added", mode, arp);
      Timed fip = new Timed(dp, host, full, routerId, 2 * samples);
      for (int i = 0; i < samples; i++) {
        RouterInfo with = r.toBuilder().addFloatingIps(FloatingIpInfo.newBuilder()
            .setFloatingIpId(UUID.randomUUID().toString()).setFloatingIpAddress("172.24.9." + (1 + i % 250))
            .setFixedIpAddress("10.64.9." + (1 + i % 250)).setPortId(UUID.randomUUID().toString())
            .setFloatingNetworkId(r.getFloatingIps(0).getFloatingNetworkId())).build();
        for (RouterInfo step : new RouterInfo[] {with, r}) {
          view = view.toBuilder().setRouters(0, step).build();
          fip.apply(view);
        }
      }
      row("one floating IP added, then removed", mode, fip);
      Timed bound = new Timed(dp, host, full, routerId, 2 * samples);
      HostRouters unbound = view;
      for (int i = 0; i < samples; i++) {
        for (HostRouters step : new HostRouters[] {withVmPort(unbound, i), unbound}) {
          view = step;
          bound.apply(view);
        }
      }
      row("one VM port bound here, then unbound", mode, bound);
      int left = Reconciler.diff(dp.desired(view), host.observe()).size();
      if (left != 0) {
        throw new IllegalStateException(mode + ": the host differs from a full render by " + left + " operations");
      }
      await(dp.apply(HostRouters.newBuilder().setHost(HOST).setAgentMode("dvr").setDvrMac(view.getDvrMac()).build()));
    } finally {
      await(dp.close());
    }
  }

  /**
   * The view with one more VM port bound here, as the agent holds one it was told of: in the host
   * part, named by the router on its subnet, its entry in the router's ARP table.
   */
  private static HostRouters withVmPort(HostRouters view, int i) {
    RouterInfo r = view.getRouters(0);
    var qr = r.getInterfaces(0);
    String address = "10.64.50." + (1 + i % 250);
    String mac = String.format(Locale.ROOT, "fa:16:3e:31:%02x:%02x", i / 256, i % 256);
    HostPort port = HostPort.newBuilder().setPortId(UUID.randomUUID().toString()).setMacAddress(mac)
        .setNetworkId(qr.getNetworkId()).setSegmentationId(qr.getSegmentationId()).setDeviceOwner("compute:nova")
        .setStatus("DOWN").setMtu(qr.getMtu()).addFixedIps(HostPortIp.newBuilder().setSubnetId(qr.getSubnetId())
            .setIpAddress(address).setCidr(qr.getCidr())).build();
    RouterInfo with = r.toBuilder().addLocalPortIds(port.getPortId()).addArpEntries(ArpEntry.newBuilder()
        .setIpAddress(address).setMacAddress(mac).setSubnetId(qr.getSubnetId()).setPortId(port.getPortId())).build();
    return view.toBuilder().addPorts(port).setRouters(0, with).build();
  }

  /** Applies of one kind, each timed from the call to its completion, with the processes they started. */
  private static final class Timed {
    private final HostPipeline dp;
    private final LinuxHost host;
    private final boolean full;
    private final String routerId;
    private final long[] nanos;
    private int taken;
    private long processes;

    Timed(HostPipeline dp, LinuxHost host, boolean full, String routerId, int samples) {
      this.dp = dp;
      this.host = host;
      this.full = full;
      this.routerId = routerId;
      this.nanos = new long[samples];
    }

    /** Applies the view, in full or only its router as the mode says. */
    void apply(HostRouters view) throws Exception {
      long p0 = host.runner().processesStarted();
      long t0 = System.nanoTime();
      await(full ? dp.apply(view) : dp.apply(view, Set.of(routerId)));
      nanos[taken++] = System.nanoTime() - t0;
      processes += host.runner().processesStarted() - p0;
    }
  }

  private static void row(String change, String mode, Timed applies) {
    long[] sorted = applies.nanos.clone();
    Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.2f | %.1f |%n", change, mode, sorted.length,
        LatencyStats.percentile(sorted, 0.5) / 1e6, LatencyStats.percentile(sorted, 0.99) / 1e6,
        sorted[sorted.length - 1] / 1e6, (double) applies.processes / sorted.length);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
  }
}

package io.dvr.bench;

import io.dvr.common.model.AgentModes;
import io.dvr.proto.v1.ConvergenceServiceGrpcClient;
import io.dvr.proto.v1.CreateFloatingIpRequest;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.WaitForChangeRequest;
import io.dvr.proto.v1.WaitForChangeResponse;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a user of {@code --wait} sees: from sending CreatePort (or CreateFloatingIp) to the
 * answer of WaitForChange, i.e. applied on every host that must act, with N in-memory hosts
 * carrying one distributed router. Samples run one at a time. Usage: {@code WaitLatencyBench
 * [--hosts 3,30] [--samples 30]}.
 */
public final class WaitLatencyBench {
  private WaitLatencyBench() {}

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = List.of(3, 30);
    int samples = 30;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--hosts" -> sizes = Arrays.stream(args[i + 1].split(",")).map(Integer::valueOf).toList();
        case "--samples" -> samples = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    StringBuilder table = new StringBuilder(
        "| hosts | change | samples | p50 ms | p90 ms | max ms | hosts waited for |\n|---|---|---|---|---|---|---|\n");
    for (int n : sizes) {
      run(n, samples, table);
    }
    System.out.print(table);
    System.exit(0);
  }

  private static void run(int n, int samples, StringBuilder table) throws Exception {
    try (ControlPlane cp = ControlPlane.start()) {
      List<SimHost> hosts = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        SimHost h = new SimHost(String.format("host-%03d", i), i == 0 ? AgentModes.DVR_SNAT : AgentModes.DVR);
        hosts.add(h);
        cp.startAgent(h);
      }
      cp.awaitAgentsReady(hosts, 300_000);
      Waits.quiet(cp.vertx, hosts, 1000, 300_000);
      Api api = cp.api;
      Network ext = api.network("ext-net", true).await();
      api.externalSubnet(ext.getId(), "192.168.0.0/16", "192.168.0.1", "192.168.0.100", "192.168.200.200").await();
      Router router = api.router("bench-router").await();
      Network net = api.network("net0", false).await();
      Subnet sub = api.subnet(net.getId(), "subnet0", "10.1.0.0/16").await();
      api.addInterface(router.getId(), sub.getId()).await();
      api.setGateway(router.getId(), ext.getId()).await();
      for (int i = 0; i < n; i++) { // one VM per host places the router everywhere
        api.vmPort(net.getId(), sub.getId(), ArpConvergence.ip(0, i), ArpConvergence.mac(i), hosts.get(i).name).await();
      }
      waitFor(api, router.getId(), 300_000);
      Waits.quiet(cp.vertx, hosts, 1000, 300_000);
      long[] port = new long[samples];
      long[] fip = new long[samples];
      int portHosts = 0;
      int fipHosts = 0;
      for (int i = 0; i < samples + 3; i++) {
        int number = 1000 + i;
        String host = hosts.get(i % n).name;
        long start = System.nanoTime();
        Port p = api.vmPort(net.getId(), sub.getId(), ArpConvergence.ip(0, number), ArpConvergence.mac(number), host)
            .await();
        portHosts = waitFor(api, p.getId(), 60_000).getHostsCount();
        long portDone = System.nanoTime();
        FloatingIp f = api.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
            .setFloatingNetworkId(ext.getId()).setPortId(p.getId()).build()).await();
        fipHosts = waitFor(api, f.getId(), 60_000).getHostsCount();
        long fipDone = System.nanoTime();
        if (i >= 3) { // three to warm up
          port[i - 3] = portDone - start;
          fip[i - 3] = fipDone - portDone;
        }
      }
      row(table, n, "VM port (CreatePort)", port, portHosts);
      row(table, n, "floating IP (CreateFloatingIp)", fip, fipHosts);
    }
  }

  private static WaitForChangeResponse waitFor(Api api, String id, int timeoutMs) {
    Future<WaitForChangeResponse> f = api.call(ConvergenceServiceGrpcClient.WaitForChange,
        WaitForChangeRequest.newBuilder().setResourceId(id).setTimeoutMs(timeoutMs).build());
    return f.await();
  }

  private static void row(StringBuilder table, int n, String change, long[] nanos, int waited) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    table.append(String.format(Locale.ROOT, "| %d | %s | %d | %.1f | %.1f | %.1f | %d |%n", n, change, sorted.length,
        LatencyStats.percentile(sorted, 0.5) / 1e6, LatencyStats.percentile(sorted, 0.9) / 1e6,
        sorted[sorted.length - 1] / 1e6, waited));
  }
}

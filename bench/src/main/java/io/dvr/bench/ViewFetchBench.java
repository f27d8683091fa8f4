package io.dvr.bench;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.model.AgentModes;
import io.dvr.proto.v1.ArpTables;
import io.dvr.proto.v1.GetArpTablesRequest;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.ListDvrMacsRequest;
import io.dvr.proto.v1.ListDvrMacsResponse;
import io.dvr.proto.v1.RouterInfo;
import java.util.Arrays;
import java.util.List;

/**
 * The round trip of one host's view fetch (GetHostRouters on the event bus, as an agent asks it
 * after a {@code routers-changed}): scheduler-svc's snapshot of the database, arp-svc's tables
 * and mac-allocator-svc's MACs, on a quiet in-process control plane with an embedded PostgreSQL.
 * The host carries R routers, each with its own network, subnet and one VM on the host.
 *
 * <pre>java -cp bench-all.jar io.dvr.bench.ViewFetchBench --routers 1,10 --samples 300</pre>
 */
public final class ViewFetchBench {
  private ViewFetchBench() {}

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = List.of(1, 10);
    int samples = 300;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--routers" -> sizes = Arrays.stream(args[i + 1].split(",")).map(Integer::valueOf).toList();
        case "--samples" -> samples = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    StringBuilder table = new StringBuilder("| routers on the host | request | samples | p50 ms | p90 ms | p99 ms | max ms |\n"
        + "|---:|---|---:|---:|---:|---:|---:|\n");
    try (ControlPlane cp = ControlPlane.start()) {
      SimHost host = new SimHost(FullResync.HOST, AgentModes.DVR);
      cp.startAgent(host);
      cp.awaitAgentsReady(List.of(host), 60_000);
      int made = 0;
      for (int routers : sizes) {
        for (; made < routers; made++) {
          router(cp.api, made);
        }
        int want = routers;
        Waits.until(cp.vertx, "the host holds " + routers + " routers", 120_000, () -> host.qrouterCount() == want);
        HostRouters view = ApplyCost.fetch(cp, FullResync.HOST);
        if (view.getRoutersCount() != routers) {
          throw new IllegalStateException("the view holds " + view.getRoutersCount() + " routers, not " + routers);
        }
        for (int i = 0; i < samples / 5; i++) {
          ApplyCost.fetch(cp, FullResync.HOST); // warm-up: prepared statements, JIT
        }
        double[] ms = new double[samples];
        for (int i = 0; i < samples; i++) {
          ms[i] = ApplyCost.fetchMs(cp, FullResync.HOST);
        }
        Arrays.sort(ms);
        table.append(String.format("| %d | GetHostRouters | %d | %.2f | %.2f | %.2f | %.2f |%n", routers, samples,
            at(ms, 0.5), at(ms, 0.9), at(ms, 0.99), ms[ms.length - 1]));
        // Its parts asked alone, as scheduler-svc asks them: arp-svc's tables of the host's routers,
        // mac-allocator-svc's MACs.
        GetArpTablesRequest arp = GetArpTablesRequest.newBuilder().addAllRouterIds(view.getRoutersList().stream()
            .map(RouterInfo::getRouterId).toList()).build();
        part(table, routers, samples, "arp-svc GetArpTables", () -> Bus.request(cp.vertx, EventAddresses.GET_ARP_TABLES,
            arp, ArpTables.parser(), Api.TIMEOUT_MS).await());
        part(table, routers, samples, "mac-allocator-svc ListDvrMacs", () -> Bus.request(cp.vertx,
            EventAddresses.LIST_DVR_MACS, ListDvrMacsRequest.getDefaultInstance(), ListDvrMacsResponse.parser(),
            Api.TIMEOUT_MS).await());
      }
    }
    System.out.print(table);
    System.exit(0);
  }

  private static void part(StringBuilder table, int routers, int samples, String what, Runnable ask) {
    for (int i = 0; i < samples / 5; i++) {
      ask.run();
    }
    double[] ms = new double[samples];
    for (int i = 0; i < samples; i++) {
      long t0 = System.nanoTime();
      ask.run();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    table.append(String.format("| %d | %s | %d | %.2f | %.2f | %.2f | %.2f |%n", routers, what, samples, at(ms, 0.5),
        at(ms, 0.9), at(ms, 0.99), ms[ms.length - 1]));
  }

  private static double at(double[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  /** One router with its network, subnet and a VM on the host. */
  private static void router(Api api, int i) {
    String cidr = String.format("10.%d.%d.0/24", 100 + i / 256, i % 256);
    var net = api.network("rnet-" + i, false).await();
    var sub = api.subnet(net.getId(), "rsub-" + i, cidr).await();
    var router = api.router("r-" + i).await();
    api.addInterface(router.getId(), sub.getId()).await();
    api.vmPort(net.getId(), sub.getId(), null, null, FullResync.HOST).await();
  }
}

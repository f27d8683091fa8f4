package io.dvr.bench;

import io.dvr.agent.Drivers;
import io.dvr.agent.FactsStore;
import io.dvr.agent.HostConfig;
import io.dvr.agent.HostPipeline;
import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.render.TunnelType;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.HostPeer;
import io.dvr.proto.v1.HostPort;
import io.dvr.proto.v1.HostPortIp;
import io.dvr.proto.v1.FloatingIpInfo;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import io.dvr.proto.v1.TunnelNetwork;
import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;

/**
 * Times the agent's apply of one ARP entry added to one router on a simulated (memory) host
 * carrying many routers: in full (render, diff and execute of the whole host, as every apply was
 * before) and incrementally (only the changed router, against the cache of the last full apply).
 * No control plane: the host's routers are made here, one interface, one VM port and three ARP
 * entries each (or as many as asked), every fifth router with a floating IP (all in one shared
 * fip- namespace), and the host has one peer (or as many as asked).
 *
 * <p>Usage: {@code IncrementalApplyBench [adds per size, default 400] [sizes, default 100,1000]
 * [ARP entries per router, default 3] [peers, default 1]}. Many entries on one router and many
 * peers is what a host meets in a large deployment: {@code 400 1 250 199} is the router of the
 * 200-host port-to-ARP convergence benchmark.
 */
public final class IncrementalApplyBench {
  private static final String EXT_NET = "e0e0e0e0-0000-4000-8000-000000000000";
  private static final String EXT_SUBNET = "e1e1e1e1-0000-4000-8000-000000000000";
  private static final String HOST = "compute1";
  /** Up to this many ARP entries a router's subnet is a /24; beyond it a /16 (every router then gets one). */
  private static final int WIDE_ABOVE = 100;

  private IncrementalApplyBench() {}

  public static void main(String[] args) throws Exception {
    int adds = args.length > 0 ? Integer.parseInt(args[0]) : 400;
    int[] sizes = args.length > 1 ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
        : new int[] {100, 1000};
    int entries = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int peers = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    if (entries < 1 || entries + adds * 2 > 60_000 || peers < 0) {
      throw new IllegalArgumentException("entries per router must be 1 to 60,000 less twice the adds, peers 0 or more");
    }
    Vertx vertx = Vertx.vertx();
    try {
      System.out.println("| routers | ARP entries per router | peers | mode | adds | median (ms) | p99 (ms) | first full apply (ms) |");
      System.out.println("|---:|---:|---:|---|---:|---:|---:|---:|");
      for (int size : sizes) {
        for (boolean incremental : new boolean[] {false, true}) {
          run(vertx, size, entries, peers, adds, incremental);
        }
      }
    } finally {
      vertx.close().await();
    }
  }

  private static void run(Vertx vertx, int size, int entries, int peers, int adds, boolean incremental) {
    HostPipeline pipeline = new HostPipeline(vertx, Drivers.memory(new MemoryHost(HOST), FactsStore.inMemory()),
        new HostConfig(HOST, "dvr", TunnelType.VXLAN, "10.0.0.11"));
    try {
      HostRouters view = host(size, entries, peers);
      long t0 = System.nanoTime();
      pipeline.apply(view).await();
      double first = (System.nanoTime() - t0) / 1e6;
      Random random = new Random(size);
      int warmup = Math.max(50, adds / 4);
      long[] nanos = new long[adds];
      int[] added = new int[size];
      for (int n = 0; n < warmup + adds; n++) {
        int index = random.nextInt(size);
        RouterInfo r = view.getRouters(index);
        RouterInfo changed = r.toBuilder().addArpEntries(arp(index, entries + added[index]++, entries > WIDE_ABOVE))
            .build();
        view = view.toBuilder().setRouters(index, changed).build();
        long s = System.nanoTime();
        int ops = incremental ? pipeline.apply(view, Set.of(r.getRouterId())).await() : pipeline.apply(view).await();
        long took = System.nanoTime() - s;
        if (ops != 1) {
          throw new IllegalStateException("adding one ARP entry ran " + ops + " operations, not 1");
        }
        if (n >= warmup) {
          nanos[n - warmup] = took;
        }
      }
      Arrays.sort(nanos);
      System.out.printf("| %d | %d | %d | %s | %d | %.3f | %.3f | %.0f |%n", size, entries, peers,
          incremental ? "incremental" : "full", adds,
          LatencyStats.percentile(nanos, 0.50) / 1e6, LatencyStats.percentile(nanos, 0.99) / 1e6, first);
    } finally {
      pipeline.close().await();
    }
  }

  static HostRouters host(int routers, int entries, int peers) {
    boolean wide = entries > WIDE_ABOVE;
    if (wide && routers > 150) {
      throw new IllegalArgumentException("routers with more than " + WIDE_ABOVE + " ARP entries get a /16 each: 150 at most");
    }
    HostRouters.Builder b = HostRouters.newBuilder().setHost(HOST).setAgentMode("dvr").setDvrMac("fa:16:3f:00:00:01")
        .addPeers(HostPeer.newBuilder().setHost(HOST).setDvrMac("fa:16:3f:00:00:01").setTunnelIp("10.0.0.11"));
    for (int p = 1; p <= peers; p++) {
      b.addPeers(HostPeer.newBuilder().setHost(String.format("compute%d", p + 1))
          .setDvrMac(String.format("fa:16:3f:01:%02x:%02x", (p >> 8) & 0xff, p & 0xff))
          .setTunnelIp(String.format("10.0.%d.%d", 1 + p / 250, 1 + p % 250)));
    }
    int networks = Math.min(routers, 200);
    for (int n = 0; n < networks; n++) {
      b.addNetworks(TunnelNetwork.newBuilder().setNetworkId(id("ee", n)).setSegmentationId(1000 + n));
    }
    for (int i = 0; i < routers; i++) {
      b.addRouters(router(i, networks, entries, wide));
      b.addPorts(vmPort(i, networks, wide));
    }
    return b.build();
  }

  /** Router i's VM port, bound to the host (listed once at host level; the router names it). */
  private static HostPort vmPort(int i, int networks, boolean wide) {
    return HostPort.newBuilder().setPortId(id("0d", i)).setMacAddress(mac(0x0d, i)).setNetworkId(id("ee", i % networks))
        .setDeviceOwner("compute:nova").setStatus("ACTIVE")
        .addFixedIps(HostPortIp.newBuilder().setSubnetId(id("5b", i)).setIpAddress(address(i, 10, wide))
            .setCidr(cidr(i, wide)))
        .build();
  }

  private static RouterInfo router(int i, int networks, int entries, boolean wide) {
    String subnet = id("5b", i);
    String net = id("ee", i % networks);
    RouterInfo.Builder r = RouterInfo.newBuilder().setRouterId(id("e0", i)).setAdminStateUp(true).setDistributed(true)
        .addInterfaces(RouterPortInfo.newBuilder().setPortId(id("0b", i)).setMacAddress(mac(0x0b, i))
            .setIpAddress(address(i, 1, wide)).setCidr(cidr(i, wide)).setSubnetId(subnet).setNetworkId(net)
            .setSegmentationId(1000 + i % networks))
        .setGatewayPort(RouterPortInfo.newBuilder().setPortId(id("0a", i)).setMacAddress(mac(0x0a, i))
            .setIpAddress("172.16." + (i / 250) + "." + (i % 250 + 2)).setCidr("172.16.0.0/16").setSubnetId(EXT_SUBNET)
            .setNetworkId(EXT_NET).setGatewayIp("172.16.255.254"))
        .addLocalPortIds(id("0d", i));
    for (int a = 0; a < entries; a++) {
      r.addArpEntries(arp(i, a, wide));
    }
    if (i % 5 == 0) {
      r.addFloatingIps(FloatingIpInfo.newBuilder().setFloatingIpId(id("0f", i))
              .setFloatingIpAddress("172.17." + (i / 250) + "." + (i % 250 + 2)).setFixedIpAddress(address(i, 10, wide))
              .setPortId(id("0d", i)).setFloatingNetworkId(EXT_NET))
          .setFipAgentGateway(RouterPortInfo.newBuilder().setPortId(id("0c", 0)).setMacAddress(mac(0x0c, 0))
              .setIpAddress("172.16.255.1").setCidr("172.16.0.0/16").setSubnetId(EXT_SUBNET).setNetworkId(EXT_NET)
              .setGatewayIp("172.16.255.254"));
    }
    return r.build();
  }

  /** The n-th ARP entry of router i, an address of the router's subnet. */
  private static ArpEntry arp(int i, int n, boolean wide) {
    if (!wide && 20 + n > 254) {
      throw new IllegalArgumentException("router " + i + " has no address left for ARP entry " + n);
    }
    return ArpEntry.newBuilder().setIpAddress(address(i, 20 + n, wide)).setMacAddress(String.format(
            "fa:16:3e:%02x:%02x:%02x", (n >> 8) & 0xff, n & 0xff, i & 0xff)).setSubnetId(id("5b", i))
        .setPortId(id("aa", i * (wide ? 100_000 : 10_000) + n)).build();
  }

  /** Router i's subnet: 10.a.b.0/24, or 10.(100 + i).0.0/16 when routers hold many entries. */
  private static String cidr(int i, boolean wide) {
    return wide ? "10." + (100 + i) + ".0.0/16" : "10." + (i / 250) + "." + (i % 250) + ".0/24";
  }

  /** The n-th address of router i's subnet (n from 1; a /16 skips .0 and .255 in every /24). */
  private static String address(int i, int n, boolean wide) {
    return wide ? "10." + (100 + i) + "." + (n / 250) + "." + (1 + n % 250)
        : "10." + (i / 250) + "." + (i % 250) + "." + n;
  }

  private static String id(String kind, int n) {
    return String.format("%s%06x-0000-4000-8000-000000000000", kind, n);
  }

  private static String mac(int kind, int i) {
    return String.format("fa:16:3e:%02x:%02x:%02x", kind, (i >> 8) & 0xff, i & 0xff);
  }
}

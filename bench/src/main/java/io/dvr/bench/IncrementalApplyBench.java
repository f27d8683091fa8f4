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
 * entries each, every fifth router with a floating IP (all in one shared fip- namespace).
 *
 * <p>Usage: {@code IncrementalApplyBench [adds per size, default 400] [sizes, default 100,1000]}.
 */
public final class IncrementalApplyBench {
  private static final String EXT_NET = "e0e0e0e0-0000-4000-8000-000000000000";
  private static final String EXT_SUBNET = "e1e1e1e1-0000-4000-8000-000000000000";
  private static final String HOST = "compute1";

  private IncrementalApplyBench() {}

  public static void main(String[] args) throws Exception {
    int adds = args.length > 0 ? Integer.parseInt(args[0]) : 400;
    int[] sizes = args.length > 1 ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
        : new int[] {100, 1000};
    Vertx vertx = Vertx.vertx();
    try {
      System.out.println("| routers | mode | adds | median (ms) | p99 (ms) | first full apply (ms) |");
      System.out.println("|---:|---|---:|---:|---:|---:|");
      for (int size : sizes) {
        for (boolean incremental : new boolean[] {false, true}) {
          run(vertx, size, adds, incremental);
        }
      }
    } finally {
      vertx.close().await();
    }
  }

  private static void run(Vertx vertx, int size, int adds, boolean incremental) {
    HostPipeline pipeline = new HostPipeline(vertx, Drivers.memory(new MemoryHost(HOST), FactsStore.inMemory()),
        new HostConfig(HOST, "dvr", TunnelType.VXLAN, "10.0.0.11"));
    try {
      HostRouters view = host(size);
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
        RouterInfo changed = r.toBuilder().addArpEntries(arp(index, 3 + added[index]++)).build();
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
      System.out.printf("| %d | %s | %d | %.3f | %.3f | %.0f |%n", size, incremental ? "incremental" : "full", adds,
          LatencyStats.percentile(nanos, 0.50) / 1e6, LatencyStats.percentile(nanos, 0.99) / 1e6, first);
    } finally {
      pipeline.close().await();
    }
  }

  static HostRouters host(int routers) {
    HostRouters.Builder b = HostRouters.newBuilder().setHost(HOST).setAgentMode("dvr").setDvrMac("fa:16:3f:00:00:01")
        .addPeers(HostPeer.newBuilder().setHost(HOST).setDvrMac("fa:16:3f:00:00:01").setTunnelIp("10.0.0.11"))
        .addPeers(HostPeer.newBuilder().setHost("compute2").setDvrMac("fa:16:3f:00:00:02").setTunnelIp("10.0.0.12"));
    int networks = Math.min(routers, 200);
    for (int n = 0; n < networks; n++) {
      b.addNetworks(TunnelNetwork.newBuilder().setNetworkId(id("ee", n)).setSegmentationId(1000 + n));
    }
    for (int i = 0; i < routers; i++) {
      b.addRouters(router(i, networks));
      b.addPorts(vmPort(i, networks));
    }
    return b.build();
  }

  /** Router i's VM port, bound to the host (listed once at host level; the router names it). */
  private static HostPort vmPort(int i, int networks) {
    String prefix = "10." + (i / 250) + "." + (i % 250) + ".";
    return HostPort.newBuilder().setPortId(id("0d", i)).setMacAddress(mac(0x0d, i)).setNetworkId(id("ee", i % networks))
        .setDeviceOwner("compute:nova").setStatus("ACTIVE")
        .addFixedIps(HostPortIp.newBuilder().setSubnetId(id("5b", i)).setIpAddress(prefix + "10").setCidr(prefix + "0/24"))
        .build();
  }

  private static RouterInfo router(int i, int networks) {
    String subnet = id("5b", i);
    String net = id("ee", i % networks);
    String prefix = "10." + (i / 250) + "." + (i % 250) + ".";
    RouterInfo.Builder r = RouterInfo.newBuilder().setRouterId(id("e0", i)).setAdminStateUp(true).setDistributed(true)
        .addInterfaces(RouterPortInfo.newBuilder().setPortId(id("0b", i)).setMacAddress(mac(0x0b, i))
            .setIpAddress(prefix + "1").setCidr(prefix + "0/24").setSubnetId(subnet).setNetworkId(net)
            .setSegmentationId(1000 + i % networks))
        .setGatewayPort(RouterPortInfo.newBuilder().setPortId(id("0a", i)).setMacAddress(mac(0x0a, i))
            .setIpAddress("172.16." + (i / 250) + "." + (i % 250 + 2)).setCidr("172.16.0.0/16").setSubnetId(EXT_SUBNET)
            .setNetworkId(EXT_NET).setGatewayIp("172.16.255.254"))
        .addLocalPortIds(id("0d", i));
    for (int a = 0; a < 3; a++) {
      r.addArpEntries(arp(i, a));
    }
    if (i % 5 == 0) {
      r.addFloatingIps(FloatingIpInfo.newBuilder().setFloatingIpId(id("0f", i))
              .setFloatingIpAddress("172.17." + (i / 250) + "." + (i % 250 + 2)).setFixedIpAddress(prefix + "10")
              .setPortId(id("0d", i)).setFloatingNetworkId(EXT_NET))
          .setFipAgentGateway(RouterPortInfo.newBuilder().setPortId(id("0c", 0)).setMacAddress(mac(0x0c, 0))
              .setIpAddress("172.16.255.1").setCidr("172.16.0.0/16").setSubnetId(EXT_SUBNET).setNetworkId(EXT_NET)
              .setGatewayIp("172.16.255.254"));
    }
    return r.build();
  }

  /** The n-th ARP entry of router i, an address of the router's subnet. */
  private static ArpEntry arp(int i, int n) {
    String prefix = "10." + (i / 250) + "." + (i % 250) + ".";
    int host = 20 + n;
    if (host > 254) {
      throw new IllegalArgumentException("router " + i + " has no address left for ARP entry " + n);
    }
    return ArpEntry.newBuilder().setIpAddress(prefix + host).setMacAddress(String.format("fa:16:3e:%02x:%02x:%02x",
            (n >> 8) & 0xff, n & 0xff, i & 0xff)).setSubnetId(id("5b", i)).setPortId(id("aa", i * 10_000 + n)).build();
  }

  private static String id(String kind, int n) {
    return String.format("%s%06x-0000-4000-8000-000000000000", kind, n);
  }

  private static String mac(int kind, int i) {
    return String.format("fa:16:3e:%02x:%02x:%02x", kind, (i >> 8) & 0xff, i & 0xff);
  }
}

package io.dvr.agent;

import io.dvr.agent.fixtures.SeedTopology;
import static io.dvr.agent.fixtures.SeedTopology.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.reconcile.Reconciler;
import io.dvr.agent.render.TunnelType;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.FloatingIpInfo;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.LocalPortInfo;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The oracle of incremental applies: random changes to one router at a time (seeded, so a failure
 * replays), each applied as a change of that router only, leave the host exactly as a twin host
 * applied in full at every step, and a full recompute then finds nothing to do.
 */
@DisplayName("Random router changes applied incrementally equal a full recompute")
class IncrementalApplyTest {
  private static final int ROUTERS = 4;
  private static final String[] NETWORKS = {NET_A, NET_B, "3c3c3c3c-0000-4000-8000-000000000003"};
  private static final int[] SEGMENTS = {SEG_A, SEG_B, 9};
  private static Vertx vertx;

  @BeforeAll
  static void up() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void down() throws Exception {
    await(vertx.close());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** One router as the test changes it. */
  private static final class Router {
    final int i;
    boolean present = true;
    boolean up = true;
    final boolean[] interfaces = {true, true, false};
    final String[] interfaceMacs = new String[3];
    final List<Integer> vms = new ArrayList<>();
    final List<Integer> fips = new ArrayList<>();
    int fipBase = 100;
    final List<Integer> arps = new ArrayList<>();

    Router(int i) {
      this.i = i;
      for (int k = 0; k < 3; k++) {
        interfaceMacs[k] = String.format("fa:16:3e:%02x:%02x:01", i, k);
      }
      vms.add(0);
      arps.add(1);
    }

    String id() {
      return id("e0", i, 0);
    }

    /** The router as the host renders it; its VM ports are bound to {@code hostView}, once each. */
    RouterInfo build(boolean snatHost, HostRouters.Builder hostView) {
      RouterInfo.Builder b = RouterInfo.newBuilder().setRouterId(id()).setAdminStateUp(up).setDistributed(true)
          .setGatewayPort(port(id("0a", i, 0), String.format("fa:16:3e:ee:%02x:01", i), "192.168.1." + (200 + i),
              "192.168.1.0/24", EXT_SUBNET, EXT_NET, 0, "", "192.168.1.1"));
      for (int k = 0; k < 3; k++) {
        if (interfaces[k]) {
          b.addInterfaces(port(id("0b", i, k), interfaceMacs[k], "10." + i + "." + k + ".1", "10." + i + "." + k
              + ".0/24", id("5b", i, k), NETWORKS[k], SEGMENTS[k], "10." + i + "." + k + ".3", ""));
          if (snatHost && i % 2 == 0) {
            b.addSnatPorts(port(id("0c", i, k), String.format("fa:16:3e:cc:%02x:%02x", i, k), "10." + i + "." + k + ".3",
                "10." + i + "." + k + ".0/24", id("5b", i, k), NETWORKS[k], SEGMENTS[k], "", ""));
          }
        }
      }
      b.setSnatHere(snatHost && i % 2 == 0);
      for (int vm : vms) {
        int k = vm % 3;
        SeedTopology.plug(hostView, b, List.of(LocalPortInfo.newBuilder().setPortId(id("0d", i, vm))
            .setMacAddress(String.format("fa:16:3e:dd:%02x:%02x", i, vm)).setNetworkId(NETWORKS[k])
            .setSubnetId(id("5b", i, k)).setIpAddress(vmIp(vm)).build()));
      }
      for (int vm : fips) {
        b.addFloatingIps(FloatingIpInfo.newBuilder().setFloatingIpId(id("0f", i, vm))
            .setFloatingIpAddress("192.168.1." + (fipBase + 10 * i + vm)).setFixedIpAddress(vmIp(vm))
            .setPortId(id("0d", i, vm)).setFloatingNetworkId(EXT_NET));
      }
      if (!fips.isEmpty()) {
        b.setFipAgentGateway(FG_COMPUTE1_117);
      }
      for (int a : arps) {
        int k = a % 3;
        b.addArpEntries(ArpEntry.newBuilder().setIpAddress("10." + i + "." + k + "." + (50 + a))
            .setMacAddress(String.format("fa:16:3e:aa:%02x:%02x", i, a)).setSubnetId(id("5b", i, k))
            .setPortId(id("0e", i, a)));
      }
      return b.build();
    }

    String vmIp(int vm) {
      return "10." + i + "." + (vm % 3) + "." + (10 + vm);
    }

    private static String id(String kind, int i, int k) {
      return String.format("%s%02x%04x-0000-4000-8000-000000000000", kind, i, k);
    }
  }

  private static HostRouters view(List<Router> routers, String host, String mode, String mac) {
    HostRouters.Builder b = host(host, mode, mac);
    routers.stream().filter(r -> r.present).forEach(r -> b.addRouters(r.build(mode.equals("dvr_snat"), b)));
    return b.build();
  }

  /** Changes one router at random; most changes are ARP entries, as on a busy cloud. */
  private static void change(Router r, Random random) {
    int vm = random.nextInt(6);
    switch (random.nextInt(14)) {
      case 0, 1, 2 -> r.arps.add(random.nextInt(40));
      case 3, 4 -> {
        if (!r.arps.isEmpty()) {
          r.arps.remove(random.nextInt(r.arps.size()));
        }
      }
      case 5 -> {
        if (!r.vms.contains(vm)) {
          r.vms.add(vm);
        }
      }
      case 6 -> {
        r.vms.remove(Integer.valueOf(vm));
        r.fips.remove(Integer.valueOf(vm));
      }
      case 7 -> {
        if (r.vms.contains(vm) && !r.fips.contains(vm)) {
          r.fips.add(vm);
        }
      }
      case 8 -> r.fips.remove(Integer.valueOf(vm));
      case 9 -> r.fipBase = r.fipBase == 100 ? 150 : 100; // floating addresses move, fixed ones stay
      case 10 -> r.interfaces[vm % 3] = !r.interfaces[vm % 3];
      case 11 -> r.interfaceMacs[vm % 3] = String.format("fa:16:3e:%02x:%02x:%02x", r.i, vm % 3, random.nextInt(250));
      case 12 -> r.up = !r.up;
      default -> r.present = !r.present;
    }
  }

  @ParameterizedTest(name = "{0} host, seed {1}")
  @CsvSource({"dvr, 1", "dvr, 2", "dvr, 3", "dvr_snat, 4", "dvr_snat, 5"})
  void incrementalEqualsFull(String mode, long seed) throws Exception {
    String name = mode.equals("dvr") ? "compute1" : "network";
    String mac = mode.equals("dvr") ? MAC_COMPUTE1 : MAC_NETWORK;
    Random random = new Random(seed);
    List<Router> routers = new ArrayList<>();
    for (int i = 0; i < ROUTERS; i++) {
      routers.add(new Router(i));
    }
    MemoryHost host = new MemoryHost(name);
    MemoryHost twin = new MemoryHost(name);
    HostPipeline incremental = new HostPipeline(vertx, Drivers.memory(host, FactsStore.inMemory()),
        new HostConfig(name, mode, TunnelType.VXLAN, "10.0.0.11"));
    HostPipeline full = new HostPipeline(vertx, Drivers.memory(twin, FactsStore.inMemory()),
        new HostConfig(name, mode, TunnelType.VXLAN, "10.0.0.11"));
    try {
      HostRouters view = view(routers, name, mode, mac);
      await(incremental.apply(view));
      await(full.apply(view));
      for (int step = 0; step < 120; step++) {
        Router r = routers.get(random.nextInt(ROUTERS));
        change(r, random);
        view = view(routers, name, mode, mac);
        int ran = await(incremental.apply(view, Set.of(r.id())));
        int ranInFull = await(full.apply(view));
        String at = "step " + step + " (router " + r.i + ")";
        assertThat(ran).as(at).isEqualTo(ranInFull);
        assertThat(host.observe()).as(at).isEqualTo(twin.observe());
        assertThat(host.sections()).as(at).isEqualTo(twin.sections());
        assertThat(Reconciler.diff(incremental.desired(view), host.observe()).operations()).as(at).isEmpty();
      }
      assertThat(incremental.appliesOfChangedRoutersOnly()).as("applies of one router alone").isGreaterThan(40);
      assertThat(await(incremental.apply(view))).isZero();
    } finally {
      await(incremental.close());
      await(full.close());
    }
  }
}

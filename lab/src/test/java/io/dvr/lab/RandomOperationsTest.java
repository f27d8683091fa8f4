package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.grpc.RpcFailure;
import io.dvr.gateway.SeedTopology;
import io.dvr.proto.v1.AssociateFloatingIpRequest;
import io.dvr.proto.v1.ClearRouterGatewayRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.DeletePortRequest;
import io.dvr.proto.v1.DisassociateFloatingIpRequest;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.RouterInterfaceRequest;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.SetRouterGatewayRequest;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.UpdatePortRequest;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random sequences of API operations (seeded, so a failure replays): afterwards every host's
 * incrementally maintained state equals a full recompute from the database.
 */
@DisplayName("After random sequences of API operations, incremental host state equals a full recompute")
class RandomOperationsTest {
  private static final List<String> HOSTS = List.of("network", "compute1", "compute2");
  private static final Set<GrpcStatus> REFUSALS = Set.of(GrpcStatus.FAILED_PRECONDITION, GrpcStatus.ALREADY_EXISTS,
      GrpcStatus.NOT_FOUND, GrpcStatus.INVALID_ARGUMENT, GrpcStatus.RESOURCE_EXHAUSTED);
  @TempDir static Path dataDir;
  static LabFixture fx;
  static SeedTopology seed;
  static final List<Port> vms = new ArrayList<>();

  @BeforeAll
  static void build() {
    fx = LabFixture.start(dataDir.resolve("pg"), Map.of());
    seed = SeedTopology.build(fx.api);
    vms.add(seed.vm1);
    vms.add(seed.vm2);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4})
  void incrementalEqualsRecompute(long seedValue) {
    Random random = new Random(seedValue);
    for (int i = 0; i < 25; i++) {
      try {
        step(random);
      } catch (RpcFailure refused) {
        // A refused operation is a valid outcome (e.g. clearing a gateway a FIP still uses).
        assertThat(REFUSALS).as(refused.getMessage()).contains(refused.status());
      }
    }
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(carrying()).isEqualTo(needing()));
    fx.awaitConverged(Duration.ofSeconds(30));
  }

  /** Hosts the scheduler has placed the router on, without the SNAT-only host. */
  private static Set<String> carrying() {
    Set<String> hosts = new java.util.TreeSet<>();
    fx.api.call(RouterServiceGrpcClient.ListRouterHosts, io.dvr.proto.v1.ListRouterHostsRequest.newBuilder()
        .setRouterId(SeedTopology.ROUTER_ID).build()).getHostsList().forEach(h -> hosts.add(h.getHost()));
    hosts.removeIf(h -> !needing().contains(h) && isSnatOnly(h));
    return hosts;
  }

  private static boolean isSnatOnly(String host) {
    return fx.api.call(RouterServiceGrpcClient.ListRouterHosts, io.dvr.proto.v1.ListRouterHostsRequest.newBuilder()
        .setRouterId(SeedTopology.ROUTER_ID).build()).getHostsList().stream()
        .anyMatch(h -> h.getHost().equals(host) && h.getSnat());
  }

  /** Hosts with a VM port on a subnet attached to the router, computed from the API alone. */
  private static Set<String> needing() {
    var router = fx.api.call(RouterServiceGrpcClient.GetRouter,
        io.dvr.proto.v1.GetRouterRequest.newBuilder().setId(SeedTopology.ROUTER_ID).build());
    Set<String> attached = new java.util.TreeSet<>();
    router.getInterfacesList().forEach(i -> attached.add(i.getSubnetId()));
    Set<String> hosts = new java.util.TreeSet<>();
    fx.api.call(PortServiceGrpcClient.ListPorts, io.dvr.proto.v1.ListPortsRequest.newBuilder()
        .setDeviceOwner("compute:nova").setPageSize(1000).build()).getPortsList().stream()
        .filter(p -> !p.getBindingHost().isEmpty())
        .filter(p -> p.getFixedIpsList().stream().anyMatch(ip -> attached.contains(ip.getSubnetId())))
        .forEach(p -> hosts.add(p.getBindingHost()));
    return hosts;
  }

  private void step(Random random) {
    List<Network> nets = List.of(seed.net1, seed.net2, seed.net3);
    List<Subnet> subnets = List.of(seed.sub81, seed.sub90, seed.sub91);
    switch (random.nextInt(8)) {
      case 0, 1 -> vms.add(fx.api.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder()
          .setNetworkId(nets.get(random.nextInt(3)).getId()).setDeviceOwner("compute:nova")
          .setBindingHost(HOSTS.get(1 + random.nextInt(2))).build()));
      case 2 -> {
        if (vms.size() > 1) {
          Port vm = vms.remove(random.nextInt(vms.size()));
          fx.api.call(PortServiceGrpcClient.DeletePort, DeletePortRequest.newBuilder().setId(vm.getId()).build());
        }
      }
      case 3 -> fx.api.call(PortServiceGrpcClient.UpdatePort, UpdatePortRequest.newBuilder()
          .setId(vms.get(random.nextInt(vms.size())).getId()).setBindingHost(HOSTS.get(random.nextInt(3))).build());
      case 4 -> fx.api.call(FloatingIpServiceGrpcClient.AssociateFloatingIp, AssociateFloatingIpRequest.newBuilder()
          .setId(seed.fip.getId()).setPortId(vms.get(random.nextInt(vms.size())).getId()).build());
      case 5 -> fx.api.call(FloatingIpServiceGrpcClient.DisassociateFloatingIp,
          DisassociateFloatingIpRequest.newBuilder().setId(seed.fip.getId()).build());
      case 6 -> {
        RouterInterfaceRequest r = RouterInterfaceRequest.newBuilder().setRouterId(SeedTopology.ROUTER_ID)
            .setSubnetId(subnets.get(random.nextInt(3)).getId()).build();
        if (random.nextBoolean()) {
          fx.api.call(RouterServiceGrpcClient.AddRouterInterface, r);
        } else {
          fx.api.call(RouterServiceGrpcClient.RemoveRouterInterface, r);
        }
      }
      default -> {
        if (random.nextBoolean()) {
          fx.api.call(RouterServiceGrpcClient.ClearRouterGateway,
              ClearRouterGatewayRequest.newBuilder().setRouterId(SeedTopology.ROUTER_ID).build());
        } else {
          fx.api.call(RouterServiceGrpcClient.SetRouterGateway, SetRouterGatewayRequest.newBuilder()
              .setRouterId(SeedTopology.ROUTER_ID).setNetworkId(SeedTopology.EXT_NET_ID).build());
        }
      }
    }
  }
}

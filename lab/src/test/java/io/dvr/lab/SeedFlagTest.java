package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.render.Names;
import io.dvr.common.config.Settings;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.TestSecurity;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.ListFloatingIpsRequest;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.ListRouterHostsRequest;
import io.dvr.proto.v1.ListRoutersRequest;
import io.dvr.proto.v1.ListSubnetsRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeedFlagTest {
  private static final Settings SEED = Settings.of(Map.of("lab.seed", "true"));
  @TempDir Path dataDir;

  @Test
  @DisplayName("lab.seed=true loads the seed's topology once, and the three hosts render it")
  void seedFlag() {
    try (LabFixture fx = LabFixture.start(dataDir.resolve("pg"), Map.of())) {
      ApiClient.await(AllInOne.seedIfAsked(fx.vertx, SEED, fx.lab));
      ApiClient.await(AllInOne.seedIfAsked(fx.vertx, SEED, fx.lab));
      Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(fx.api.call(RouterServiceGrpcClient.ListRouterHosts, ListRouterHostsRequest.newBuilder()
            .setRouterId(SeedLoader.ROUTER_ID).build()).getHostsList()).extracting(RouterHost::getHost)
            .containsExactly("compute1", "compute2", "network");
        assertThat(fx.host("compute1").ipNetns()).contains(Names.fipNamespace(SeedLoader.EXT_NET_ID));
        assertThat(fx.host("network").ipRoute(Names.snatNamespace(SeedLoader.ROUTER_ID)))
            .contains("default via 192.168.1.1");
      });
      fx.awaitConverged();
    }
  }

  @Test
  @DisplayName("A second start with lab.seed=true on the same data directory creates nothing new")
  void secondStartSeedsNothing() {
    Resources first;
    try (LabFixture fx = LabFixture.start(dataDir.resolve("pg"), Map.of())) {
      assertThat(ApiClient.await(SeedLoader.open(fx.vertx, fx.lab.apiPort(), TestSecurity.user(), fx.lab.adminTokenFile()).compose(SeedLoader::load))).isEqualTo(SeedLoader.Outcome.LOADED);
      first = Resources.of(fx.api);
    }
    try (LabFixture fx = LabFixture.start(dataDir.resolve("pg"), Map.of())) {
      assertThat(ApiClient.await(SeedLoader.open(fx.vertx, fx.lab.apiPort(), TestSecurity.user(), fx.lab.adminTokenFile()).compose(SeedLoader::load)))
          .isEqualTo(SeedLoader.Outcome.ALREADY_THERE);
      assertThat(Resources.of(fx.api)).isEqualTo(first);
    }
    assertThat(first.networks()).containsExactlyInAnyOrder("ext-net", "net1", "net2", "net3");
    assertThat(first.routers()).containsExactly("dvr-r1");
    assertThat(first.ports()).containsExactly("vm1", "vm2");
    assertThat(first.floatingIps()).containsExactly("192.168.1.116");
  }

  @Test
  @DisplayName("lab.seed=true on a database that already holds the walk-through's ext-net and dvr-r1 (other ids) creates nothing")
  void seedOnOwnResourcesSeedsNothing() {
    try (LabFixture fx = LabFixture.start(dataDir.resolve("pg"), Map.of())) {
      fx.api.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder()
          .setName("ext-net").setRouterExternal(true).build());
      fx.api.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder()
          .setName("dvr-r1").setDistributed(true).build());
      Resources before = Resources.of(fx.api);

      assertThat(ApiClient.await(SeedLoader.open(fx.vertx, fx.lab.apiPort(), TestSecurity.user(), fx.lab.adminTokenFile()).compose(SeedLoader::load))).isEqualTo(SeedLoader.Outcome.NOT_EMPTY);
      ApiClient.await(AllInOne.seedIfAsked(fx.vertx, SEED, fx.lab));

      assertThat(Resources.of(fx.api)).isEqualTo(before);
      assertThat(before.networks()).containsExactly("ext-net");
      assertThat(before.routers()).containsExactly("dvr-r1");
    }
  }

  /** Every resource the seed creates, by name, CIDR or address, as the API lists them. */
  private record Resources(List<String> networks, List<String> subnets, List<String> routers, List<String> ports,
      List<String> floatingIps) {
    static Resources of(ApiClient api) {
      return new Resources(
          api.call(NetworkServiceGrpcClient.ListNetworks, ListNetworksRequest.newBuilder().setPageSize(1000).build())
              .getNetworksList().stream().map(Network::getName).sorted().toList(),
          api.call(SubnetServiceGrpcClient.ListSubnets, ListSubnetsRequest.newBuilder().setPageSize(1000).build())
              .getSubnetsList().stream().map(Subnet::getCidr).sorted().toList(),
          api.call(RouterServiceGrpcClient.ListRouters, ListRoutersRequest.newBuilder().setPageSize(1000).build())
              .getRoutersList().stream().map(Router::getName).sorted().toList(),
          // The VM ports (system ports, such as fg- ports, follow from them asynchronously).
          api.call(PortServiceGrpcClient.ListPorts, ListPortsRequest.newBuilder().setDeviceOwner("compute:nova")
              .setPageSize(1000).build()).getPortsList().stream().map(Port::getName).sorted().toList(),
          api.call(FloatingIpServiceGrpcClient.ListFloatingIps, ListFloatingIpsRequest.newBuilder().setPageSize(1000).build())
              .getFloatingIpsList().stream().map(FloatingIp::getFloatingIpAddress).sorted().toList());
    }
  }
}

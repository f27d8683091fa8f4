package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.render.Names;
import io.dvr.gateway.SeedTopology;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterInterface;
import io.dvr.proto.v1.RouterInterfaceRequest;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.Subnet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("An interface added by port: every host's qr- device in qrouter- carries the port's address, not the subnet's gateway_ip")
class RouterInterfaceByPortTest {
  static final String QROUTER = Names.qrouterNamespace(SeedTopology.ROUTER_ID);

  @TempDir static Path dataDir;
  static LabFixture fx;

  @BeforeAll
  static void build() {
    fx = LabFixture.start(dataDir.resolve("pg"), Map.of());
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> fx.routersOf("compute2").getDvrMac().startsWith("fa:16:3f"));
    SeedTopology.build(fx.api);
    fx.awaitConverged();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  @DisplayName("qr- on 71.1.180.0/24 holds 71.1.180.7 (the port's fixed IP) on network, compute1 and compute2")
  void qrDeviceTakesThePortsAddress() {
    Network net = SeedTopology.network(fx.api, "net71");
    Subnet subnet = SeedTopology.subnet(fx.api, net, "subnet71", "71.1.180.0/24");
    assertThat(subnet.getGatewayIp()).isEqualTo("71.1.180.1");
    Port port = fx.api.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(net.getId())
        .setName("r1-port71").addFixedIps(FixedIpRequest.newBuilder().setSubnetId(subnet.getId())
            .setIpAddress("71.1.180.7")).build());

    Router router = fx.api.call(RouterServiceGrpcClient.AddRouterInterface, RouterInterfaceRequest.newBuilder()
        .setRouterId(SeedTopology.ROUTER_ID).setPortId(port.getId()).build());

    RouterInterface itf = router.getInterfacesList().stream().filter(i -> i.getPortId().equals(port.getId()))
        .findFirst().orElseThrow();
    assertThat(itf.getSubnetId()).isEqualTo(subnet.getId());
    assertThat(itf.getIpAddress()).isEqualTo("71.1.180.7");
    String qr = Names.qrDevice(port.getId());
    for (String host : List.of("network", "compute1", "compute2")) {
      Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(fx.host(host).ipAddr(QROUTER))
          .as(host).contains("inet 71.1.180.7/24 brd 71.1.180.255 scope global " + qr)
          .doesNotContain("inet 71.1.180.1/"));
    }
    fx.awaitConverged();
  }
}

package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.Status;
import io.dvr.proto.v1.GetFloatingIpRequest;
import io.dvr.proto.v1.GetPortRequest;
import io.dvr.proto.v1.GetRouterRequest;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterInterface;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The seed's topology built over gRPC on a real PostgreSQL reads back as the seed shows it")
class SeedTopologyTest {
  @TempDir static Path dataDir;
  static GatewayFixture gw;
  static SeedTopology seed;

  @BeforeAll
  static void build() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
    seed = SeedTopology.build(gw);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private Router router() {
    return gw.call(RouterServiceGrpcClient.GetRouter, GetRouterRequest.newBuilder().setId(SeedTopology.ROUTER_ID).build());
  }

  @Test
  @DisplayName("the router is distributed and its three interfaces hold the .1 gateway of each subnet")
  void interfacesHoldTheGateways() {
    Router r = router();
    assertThat(r.getName()).isEqualTo("dvr-r1");
    assertThat(r.getDistributed()).isTrue();
    assertThat(r.getInterfacesList()).extracting(RouterInterface::getCidr, RouterInterface::getIpAddress)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("81.1.180.0/24", "81.1.180.1"),
            org.assertj.core.groups.Tuple.tuple("90.1.180.0/24", "90.1.180.1"),
            org.assertj.core.groups.Tuple.tuple("91.1.180.0/24", "91.1.180.1"));
    for (RouterInterface i : r.getInterfacesList()) {
      Port port = gw.call(PortServiceGrpcClient.GetPort, GetPortRequest.newBuilder().setId(i.getPortId()).build());
      assertThat(port.getDeviceOwner()).isEqualTo("network:router_interface_distributed");
      assertThat(port.getDeviceId()).isEqualTo(SeedTopology.ROUTER_ID);
      assertThat(port.getMacAddress()).startsWith("fa:16:3e:").isEqualTo(i.getMacAddress());
      assertThat(port.getFixedIpsList()).singleElement()
          .satisfies(ip -> assertThat(ip.getIpAddress()).isEqualTo(i.getIpAddress()));
    }
  }

  @Test
  @DisplayName("tunnelled networks get MTU 1450 (1500 less VXLAN's 50), the external network 1500")
  void networkMtus() {
    assertThat(List.of(seed.net1.getMtu(), seed.net2.getMtu())).containsOnly(1450);
    assertThat(seed.ext.getMtu()).isEqualTo(1500);
  }

  @Test
  @DisplayName("the gateway port sits on 192.168.1.0/24 and each internal subnet has one SNAT port")
  void gatewayAndSnatPorts() {
    Router r = router();
    assertThat(r.getExternalGatewayInfo().getNetworkId()).isEqualTo(SeedTopology.EXT_NET_ID);
    assertThat(r.getExternalGatewayInfo().getExternalFixedIpsList()).singleElement()
        .satisfies(ip -> {
          assertThat(ip.getIpAddress()).isEqualTo("192.168.1.115");
          assertThat(ip.getSubnetId()).isEqualTo(seed.extSubnet.getId());
        });
    Port gwPort = gw.call(PortServiceGrpcClient.GetPort,
        GetPortRequest.newBuilder().setId(r.getExternalGatewayInfo().getPortId()).build());
    assertThat(gwPort.getDeviceOwner()).isEqualTo("network:router_gateway");

    List<Port> snat = gw.call(PortServiceGrpcClient.ListPorts, ListPortsRequest.newBuilder()
        .setDeviceOwner("network:router_centralized_snat").setDeviceId(SeedTopology.ROUTER_ID).build()).getPortsList();
    assertThat(snat).hasSize(3);
    assertThat(snat).extracting(p -> p.getFixedIps(0).getSubnetId())
        .containsExactlyInAnyOrder(seed.sub81.getId(), seed.sub90.getId(), seed.sub91.getId());
    for (RouterInterface i : r.getInterfacesList()) {
      assertThat(i.getSnatPortId()).isNotEmpty();
      assertThat(i.getSnatIpAddress()).isNotEqualTo(i.getIpAddress())
          .startsWith(i.getCidr().substring(0, i.getCidr().lastIndexOf('.') + 1));
    }
  }

  @Test
  @DisplayName("the VM ports are bound to their hosts with the seed's addresses")
  void vmPortsBound() {
    Port vm1 = gw.call(PortServiceGrpcClient.GetPort, GetPortRequest.newBuilder().setId(seed.vm1.getId()).build());
    Port vm2 = gw.call(PortServiceGrpcClient.GetPort, GetPortRequest.newBuilder().setId(seed.vm2.getId()).build());
    assertThat(vm1.getBindingHost()).isEqualTo("compute1");
    assertThat(vm1.getFixedIps(0).getIpAddress()).isEqualTo("81.1.180.18");
    assertThat(vm2.getBindingHost()).isEqualTo("compute2");
    assertThat(vm2.getFixedIps(0).getIpAddress()).isEqualTo("90.1.180.6");
    assertThat(vm2.getFixedIps(0).getSubnetId()).isEqualTo(seed.sub90.getId());
    assertThat(gw.call(PortServiceGrpcClient.ListPorts, ListPortsRequest.newBuilder().setBindingHost("compute1").build())
        .getPortsList()).extracting(Port::getId).containsExactly(seed.vm1.getId());
  }

  @Test
  @DisplayName("the floating IP is associated with VM1's fixed IP through dvr-r1")
  void floatingIpAssociated() {
    FloatingIp fip = gw.call(FloatingIpServiceGrpcClient.GetFloatingIp,
        GetFloatingIpRequest.newBuilder().setId(seed.fip.getId()).build());
    assertThat(fip.getFloatingIpAddress()).isEqualTo("192.168.1.116");
    assertThat(fip.getPortId()).isEqualTo(seed.vm1.getId());
    assertThat(fip.getFixedIpAddress()).isEqualTo("81.1.180.18");
    assertThat(fip.getRouterId()).isEqualTo(SeedTopology.ROUTER_ID);
    // No agent runs here: no host applied it, so it is DOWN (ACTIVE follows the data path).
    assertThat(fip.getStatus()).isEqualTo(Status.STATUS_DOWN);
  }
}

package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.grpc.RpcFailure;
import io.dvr.proto.v1.AssociateFloatingIpRequest;
import io.dvr.proto.v1.CreateFloatingIpRequest;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.DisassociateFloatingIpRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.GetFloatingIpRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterInterfaceRequest;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.SetRouterGatewayRequest;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A port with addresses on three subnets of one network: the first attached to router A, the
 * second to router B (both with their gateway on the external network), the third to no router.
 * A floating IP is carried by the router of the subnet of the fixed IP it takes.
 */
@DisplayName("A floating IP on a port with several subnets: the router of the chosen fixed IP's subnet carries it")
class FloatingIpAssociationTest {
  @TempDir static Path dataDir;
  static GatewayFixture gw;
  static Network ext;
  static Router routerA;
  static Router routerB;
  static Port vm;
  static String onA;
  static String onB;
  static String onNone;

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
    ext = gw.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName("ext")
        .setRouterExternal(true).build());
    gw.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder().setNetworkId(ext.getId())
        .setCidr("192.168.1.0/24").build());
    Network net = gw.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName("net").build());
    Subnet a = subnet(net, "10.1.0.0/24");
    Subnet b = subnet(net, "10.2.0.0/24");
    Subnet none = subnet(net, "10.3.0.0/24");
    routerA = router("a", a);
    routerB = router("b", b);
    vm = gw.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(net.getId())
        .setDeviceOwner("compute:nova").setBindingHost("compute1")
        .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(a.getId()))
        .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(b.getId()))
        .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(none.getId())).build());
    onA = addressOn(a);
    onB = addressOn(b);
    onNone = addressOn(none);
  }

  static Subnet subnet(Network net, String cidr) {
    return gw.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder().setNetworkId(net.getId())
        .setCidr(cidr).build());
  }

  static Router router(String name, Subnet s) {
    Router r = gw.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName(name).build());
    gw.call(RouterServiceGrpcClient.AddRouterInterface, RouterInterfaceRequest.newBuilder().setRouterId(r.getId())
        .setSubnetId(s.getId()).build());
    gw.call(RouterServiceGrpcClient.SetRouterGateway, SetRouterGatewayRequest.newBuilder().setRouterId(r.getId())
        .setNetworkId(ext.getId()).build());
    return r;
  }

  static String addressOn(Subnet s) {
    return vm.getFixedIpsList().stream().filter(f -> f.getSubnetId().equals(s.getId())).findFirst().orElseThrow()
        .getIpAddress();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static FloatingIp read(FloatingIp f) {
    return gw.call(FloatingIpServiceGrpcClient.GetFloatingIp, GetFloatingIpRequest.newBuilder().setId(f.getId()).build());
  }

  static CreateFloatingIpRequest.Builder onto(String fixedIp) {
    return CreateFloatingIpRequest.newBuilder().setFloatingNetworkId(ext.getId()).setPortId(vm.getId())
        .setFixedIpAddress(fixedIp);
  }

  @Test
  @DisplayName("created onto a fixed IP, associated, refused and disassociated: each reply is what a read shows")
  void routerOfTheChosenSubnet() {
    FloatingIp viaB = gw.call(FloatingIpServiceGrpcClient.CreateFloatingIp, onto(onB).build());
    assertThat(viaB.getRouterId()).isEqualTo(routerB.getId());
    assertThat(viaB.getFixedIpAddress()).isEqualTo(onB);
    assertThat(viaB.getPortId()).isEqualTo(vm.getId());
    assertThat(viaB.getRevision()).isEqualTo(2);
    assertThat(viaB).isEqualTo(read(viaB));

    FloatingIp spare = gw.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
        .setFloatingNetworkId(ext.getId()).build());
    assertThat(spare.getPortId()).isEmpty();
    assertThat(spare.getRevision()).isEqualTo(1);
    assertThat(spare).isEqualTo(read(spare));

    FloatingIp viaA = gw.call(FloatingIpServiceGrpcClient.AssociateFloatingIp, AssociateFloatingIpRequest.newBuilder()
        .setId(spare.getId()).setPortId(vm.getId()).setFixedIpAddress(onA).build());
    assertThat(viaA.getRouterId()).isEqualTo(routerA.getId());
    assertThat(viaA.getFixedIpAddress()).isEqualTo(onA);
    assertThat(viaA).isEqualTo(read(viaA));

    RpcFailure taken = gw.fail(FloatingIpServiceGrpcClient.CreateFloatingIp, onto(onA).build());
    assertThat(taken.status()).isEqualTo(GrpcStatus.ALREADY_EXISTS);
    assertThat(taken.detail()).isEqualTo("fixed IP " + onA + " of port '" + vm.getId()
        + "' already has floating IP '" + viaA.getId() + "'");

    RpcFailure unrouted = gw.fail(FloatingIpServiceGrpcClient.AssociateFloatingIp, AssociateFloatingIpRequest.newBuilder()
        .setId(viaA.getId()).setPortId(vm.getId()).setFixedIpAddress(onNone).build());
    assertThat(unrouted.status()).isEqualTo(GrpcStatus.FAILED_PRECONDITION);
    assertThat(unrouted.detail()).contains("no router attached to that subnet has its gateway on it");
    assertThat(read(viaA)).as("a refused association changes nothing").isEqualTo(viaA);

    FloatingIp left = gw.call(FloatingIpServiceGrpcClient.DisassociateFloatingIp,
        DisassociateFloatingIpRequest.newBuilder().setId(viaA.getId()).build());
    assertThat(left.getPortId()).isEmpty();
    assertThat(left.getRouterId()).isEmpty();
    assertThat(left.getRevision()).isEqualTo(viaA.getRevision() + 1);
    assertThat(left).isEqualTo(read(left));
    FloatingIp again = gw.call(FloatingIpServiceGrpcClient.DisassociateFloatingIp,
        DisassociateFloatingIpRequest.newBuilder().setId(viaA.getId()).build());
    assertThat(again).as("disassociating a floating IP on no port changes nothing").isEqualTo(left);

    FloatingIp nowFree = gw.call(FloatingIpServiceGrpcClient.CreateFloatingIp, onto(onA).build());
    assertThat(nowFree.getRouterId()).isEqualTo(routerA.getId());
  }
}

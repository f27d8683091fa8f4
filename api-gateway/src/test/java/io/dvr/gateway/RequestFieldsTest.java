package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.GetNetworkRequest;
import io.dvr.proto.v1.GetPortRequest;
import io.dvr.proto.v1.GetRouterRequest;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import io.dvr.proto.v1.UpdatePortRequest;
import io.dvr.proto.v1.UpdateRouterRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.UpdateNetworkRequest;
import io.dvr.common.grpc.RpcFailure;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Request fields are read as a user means them: unsigned numbers, characters, one address once. */
@DisplayName("Request fields are checked as the user wrote them and refusals say what was wrong")
class RequestFieldsTest {
  private static final String EMOJI = "\uD83D\uDE00";
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

  private static GatewayFixture gw() {
    return gw;
  }

  private static SeedTopology seed() {
    return seed;
  }

  private static RpcFailure refused(GrpcStatus status, Supplier<RpcFailure> call, String... messageParts) {
    return Refusals.refused(gw, status, call, messageParts);
  }

  @Test
  @DisplayName("the same IP twice in one request is INVALID_ARGUMENT saying it is given twice")
  void sameIpTwice() {
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw().fail(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder()
        .setNetworkId(seed().net1.getId()).setDeviceOwner("compute:nova")
        .addFixedIps(FixedIpRequest.newBuilder().setIpAddress("81.1.180.50"))
        .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(seed().sub81.getId()).setIpAddress("81.1.180.50"))
        .build()), "fixed_ips[1].ip_address '81.1.180.50'", "given twice in the request", "fixed_ips[0]");
  }

  @Test
  @DisplayName("page_size 2^31, mtu and ip_version 2^32-1 are refused with their real value and the allowed range")
  void unsignedFieldsKeepTheirValue() {
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw().fail(NetworkServiceGrpcClient.ListNetworks,
        ListNetworksRequest.newBuilder().setPageSize((int) 2147483648L).build()), "page_size '2147483648'", "0..1000");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw().fail(PortServiceGrpcClient.ListPorts,
        ListPortsRequest.newBuilder().setPageSize(-1).build()), "page_size '4294967295'", "0..1000");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw().fail(NetworkServiceGrpcClient.CreateNetwork,
        CreateNetworkRequest.newBuilder().setName("huge").setMtu(-1).build()), "mtu '4294967295'", "68..1450");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw().fail(NetworkServiceGrpcClient.UpdateNetwork,
        UpdateNetworkRequest.newBuilder().setId(seed().net1.getId()).setMtu((int) 2147483648L).build()),
        "mtu '2147483648'", "68..1450");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw().fail(SubnetServiceGrpcClient.CreateSubnet,
        CreateSubnetRequest.newBuilder().setNetworkId(seed().net2.getId()).setCidr("172.21.0.0/24").setIpVersion(-1)
            .build()), "ip_version '4294967295'", "must be 4");
  }

  @Test
  @DisplayName("a name's length counts characters (code points): 255 emoji pass, 256 are refused as 256")
  void nameLengthCountsCharacters() {
    Network n = gw().call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder()
        .setName(EMOJI.repeat(255)).build());
    assertThat(n.getName()).isEqualTo(EMOJI.repeat(255));
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw().fail(NetworkServiceGrpcClient.CreateNetwork,
        CreateNetworkRequest.newBuilder().setName(EMOJI.repeat(256)).build()), "name '", "is 256 characters long");
  }
  @Test
  @DisplayName("a caller-chosen id already in use is ALREADY_EXISTS naming the id, without database details")
  void duplicateIds() {
    String net1 = seed().net1.getId();
    RpcFailure f = refused(GrpcStatus.ALREADY_EXISTS, () -> gw().fail(NetworkServiceGrpcClient.CreateNetwork,
        CreateNetworkRequest.newBuilder().setName("again").setId(net1).build()), "network '" + net1 + "' already exists");
    assertThat(f.detail()).doesNotContain("Key (", "=(");
    f = refused(GrpcStatus.ALREADY_EXISTS, () -> gw().fail(RouterServiceGrpcClient.CreateRouter,
        CreateRouterRequest.newBuilder().setName("again").setId(SeedTopology.ROUTER_ID).build()),
        "router '" + SeedTopology.ROUTER_ID + "' already exists");
    assertThat(f.detail()).doesNotContain("Key (", "=(");
    String sub81 = seed().sub81.getId();
    f = refused(GrpcStatus.ALREADY_EXISTS, () -> gw().fail(SubnetServiceGrpcClient.CreateSubnet,
        CreateSubnetRequest.newBuilder().setNetworkId(seed().net2.getId()).setCidr("172.20.0.0/24").setId(sub81).build()),
        "subnet '" + sub81 + "' already exists");
    assertThat(f.detail()).doesNotContain("Key (", "=(");
    String vm1 = seed().vm1.getId();
    f = refused(GrpcStatus.ALREADY_EXISTS, () -> gw().fail(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder()
        .setNetworkId(seed().net1.getId()).setDeviceOwner("compute:nova").setId(vm1).build()),
        "port '" + vm1 + "' already exists");
    assertThat(f.detail()).doesNotContain("Key (", "=(");
  }

  @Test
  @DisplayName("an update that changes nothing leaves revision and updated_at; a real change raises the revision")
  void emptyUpdateChangesNothing() {
    String vm2 = seed().vm2.getId();
    Port before = gw().call(PortServiceGrpcClient.GetPort, GetPortRequest.newBuilder().setId(vm2).build());
    assertThat(gw().call(PortServiceGrpcClient.UpdatePort, UpdatePortRequest.newBuilder().setId(vm2).build()))
        .isEqualTo(before);
    assertThat(gw().call(PortServiceGrpcClient.UpdatePort, UpdatePortRequest.newBuilder().setId(vm2)
        .setName(before.getName()).setBindingHost(before.getBindingHost()).setAdminStateUp(before.getAdminStateUp())
        .setDeviceId(before.getDeviceId()).build())).isEqualTo(before);
    Port renamed = gw().call(PortServiceGrpcClient.UpdatePort, UpdatePortRequest.newBuilder().setId(vm2)
        .setName("vm2-renamed").build());
    assertThat(renamed.getRevision()).isEqualTo(before.getRevision() + 1);

    Network net = gw().call(NetworkServiceGrpcClient.GetNetwork, GetNetworkRequest.newBuilder()
        .setId(seed().net3.getId()).build());
    assertThat(gw().call(NetworkServiceGrpcClient.UpdateNetwork, UpdateNetworkRequest.newBuilder().setId(net.getId())
        .setName(net.getName()).setMtu(net.getMtu()).setAdminStateUp(net.getAdminStateUp()).build())).isEqualTo(net);
    assertThat(gw().call(NetworkServiceGrpcClient.UpdateNetwork, UpdateNetworkRequest.newBuilder().setId(net.getId())
        .setName("net3-renamed").build()).getRevision()).isEqualTo(net.getRevision() + 1);

    Router router = gw().call(RouterServiceGrpcClient.GetRouter, GetRouterRequest.newBuilder()
        .setId(SeedTopology.ROUTER_ID).build());
    assertThat(gw().call(RouterServiceGrpcClient.UpdateRouter, UpdateRouterRequest.newBuilder()
        .setId(router.getId()).build())).isEqualTo(router);
    assertThat(gw().call(RouterServiceGrpcClient.UpdateRouter, UpdateRouterRequest.newBuilder()
        .setId(router.getId()).setName(router.getName()).setAdminStateUp(router.getAdminStateUp()).build()))
        .isEqualTo(router);
  }

  @Test
  @DisplayName("the name and device id of router interface, SNAT and gateway ports are FAILED_PRECONDITION to change")
  void systemPortsKeepTheirNameAndDevice() {
    Router router = gw().call(RouterServiceGrpcClient.GetRouter, GetRouterRequest.newBuilder()
        .setId(SeedTopology.ROUTER_ID).build());
    String interfacePort = router.getInterfaces(0).getPortId();
    String snatPort = router.getInterfaces(0).getSnatPortId();
    String gatewayPort = router.getExternalGatewayInfo().getPortId();
    refused(GrpcStatus.FAILED_PRECONDITION, () -> gw().fail(PortServiceGrpcClient.UpdatePort, UpdatePortRequest.newBuilder()
        .setId(interfacePort).setName("mine").build()), "port '" + interfacePort + "'", "its name", "'mine'");
    refused(GrpcStatus.FAILED_PRECONDITION, () -> gw().fail(PortServiceGrpcClient.UpdatePort, UpdatePortRequest.newBuilder()
        .setId(snatPort).setName("sg-mine").build()), "port '" + snatPort + "'", "its name");
    refused(GrpcStatus.FAILED_PRECONDITION, () -> gw().fail(PortServiceGrpcClient.UpdatePort, UpdatePortRequest.newBuilder()
        .setId(gatewayPort).setDeviceId("other-router").build()), "port '" + gatewayPort + "'", "its device_id",
        "'other-router'");
    refused(GrpcStatus.FAILED_PRECONDITION, () -> gw().fail(PortServiceGrpcClient.UpdatePort, UpdatePortRequest.newBuilder()
        .setId(interfacePort).setDeviceId("").build()), "port '" + interfacePort + "'", "its device_id");
  }
}

package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.grpc.RpcFailure;
import io.dvr.proto.v1.AllocationPool;
import io.dvr.proto.v1.AssociateFloatingIpRequest;
import io.dvr.proto.v1.CreateFloatingIpRequest;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.DeleteNetworkRequest;
import io.dvr.proto.v1.DeletePortRequest;
import io.dvr.proto.v1.DeleteRouterRequest;
import io.dvr.proto.v1.DeleteSubnetRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.GetNetworkRequest;
import io.dvr.proto.v1.GetRouterRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.RouterInterfaceRequest;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.SetRouterGatewayRequest;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import io.dvr.proto.v1.UpdateNetworkRequest;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each bad request gets the right status and a message naming the field and the value, and a
 * full read of every resource afterwards equals the read before: nothing changed.
 */
@DisplayName("Bad input is refused with a precise status and message and changes nothing")
class BadInputTest {
  private static final String UNKNOWN = "0b7e1d2c-3f4a-4b5c-8d9e-0f1a2b3c4d5e";
  @TempDir static Path dataDir;
  static GatewayFixture gw;
  static SeedTopology seed;
  /** A network with a subnet attached to no router, and a VM port on it. */
  static Network isolated;
  static Subnet isolatedSubnet;
  static Port isolatedVm;
  static FloatingIp spareFip;

  @BeforeAll
  static void build() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
    seed = SeedTopology.build(gw);
    isolated = SeedTopology.network(gw, "isolated");
    isolatedSubnet = SeedTopology.subnet(gw, isolated, "isolated-subnet", "81.1.0.0/16");
    isolatedVm = gw.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder()
        .setNetworkId(isolated.getId()).setDeviceOwner("compute:nova").setBindingHost("compute1").build());
    spareFip = gw.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
        .setFloatingNetworkId(seed.ext.getId()).build());
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static void refused(GrpcStatus status, Supplier<RpcFailure> call, String... messageParts) {
    Refusals.refused(gw, status, call, messageParts);
  }

  private static CreateSubnetRequest.Builder subnet(String cidr) {
    return CreateSubnetRequest.newBuilder().setNetworkId(isolated.getId()).setName("s").setCidr(cidr);
  }

  private static CreatePortRequest.Builder port(Network net) {
    return CreatePortRequest.newBuilder().setNetworkId(net.getId()).setDeviceOwner("compute:nova");
  }

  @Test
  @DisplayName("a malformed CIDR is INVALID_ARGUMENT naming cidr and the value")
  void malformedCidr() {
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(SubnetServiceGrpcClient.CreateSubnet,
        subnet("10.20.0.0/33").build()), "cidr '10.20.0.0/33'", "prefix");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(SubnetServiceGrpcClient.CreateSubnet,
        subnet("10.20.0.1/24").build()), "cidr '10.20.0.1/24'", "host bits");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(SubnetServiceGrpcClient.CreateSubnet,
        subnet("fd00::/64").build()), "cidr 'fd00::/64'", "IPv6");
  }

  @Test
  @DisplayName("a malformed IP address is INVALID_ARGUMENT naming the field and the value")
  void malformedIp() {
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(PortServiceGrpcClient.CreatePort, port(seed.net1)
        .addFixedIps(FixedIpRequest.newBuilder().setIpAddress("81.1.180.300")).build()),
        "fixed_ips[0].ip_address '81.1.180.300'");
  }

  @Test
  @DisplayName("a malformed or multicast MAC is INVALID_ARGUMENT naming mac_address and the value")
  void malformedMac() {
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(PortServiceGrpcClient.CreatePort,
        port(seed.net1).setMacAddress("fa:16:3e:zz:00:01").build()), "mac_address 'fa:16:3e:zz:00:01'");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(PortServiceGrpcClient.CreatePort,
        port(seed.net1).setMacAddress("01:00:5e:00:00:01").build()), "mac_address '01:00:5e:00:00:01'", "multicast");
  }

  @Test
  @DisplayName("a gateway outside the subnet is INVALID_ARGUMENT naming gateway_ip")
  void gatewayOutsideSubnet() {
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(SubnetServiceGrpcClient.CreateSubnet,
        subnet("10.20.0.0/24").setGatewayIp("10.21.0.1").build()), "gateway_ip '10.21.0.1'", "outside");
  }

  @Test
  @DisplayName("a pool outside the subnet or holding the gateway is INVALID_ARGUMENT naming the pool")
  void poolOutsideSubnet() {
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(SubnetServiceGrpcClient.CreateSubnet,
        subnet("10.20.0.0/24").addAllocationPools(AllocationPool.newBuilder().setStart("10.20.1.10").setEnd("10.20.1.20"))
            .build()), "allocation_pools[0] '10.20.1.10-10.20.1.20'", "outside");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(SubnetServiceGrpcClient.CreateSubnet,
        subnet("10.20.0.0/24").addAllocationPools(AllocationPool.newBuilder().setStart("10.20.0.1").setEnd("10.20.0.9"))
            .build()), "allocation_pools[0] '10.20.0.1-10.20.0.9'", "gateway_ip 10.20.0.1");
  }

  @Test
  @DisplayName("a fixed IP outside its subnet is INVALID_ARGUMENT; a taken one is ALREADY_EXISTS")
  void fixedIpOutsideOrTaken() {
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(PortServiceGrpcClient.CreatePort, port(seed.net1)
        .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(seed.sub81.getId()).setIpAddress("90.1.180.50")).build()),
        "fixed_ips[0].ip_address '90.1.180.50'", "outside subnet");
    refused(GrpcStatus.ALREADY_EXISTS, () -> gw.fail(PortServiceGrpcClient.CreatePort, port(seed.net1)
        .addFixedIps(FixedIpRequest.newBuilder().setIpAddress("81.1.180.18")).build()),
        "'81.1.180.18'", seed.vm1.getId());
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(PortServiceGrpcClient.CreatePort, port(seed.net1)
        .addFixedIps(FixedIpRequest.newBuilder().setIpAddress("81.1.180.1")).build()),
        "'81.1.180.1'", "gateway_ip");
  }

  @Test
  @DisplayName("a subnet overlapping one already on the router is INVALID_ARGUMENT naming both")
  void overlappingSubnetsOnOneRouter() {
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(RouterServiceGrpcClient.AddRouterInterface,
        RouterInterfaceRequest.newBuilder().setRouterId(SeedTopology.ROUTER_ID).setSubnetId(isolatedSubnet.getId()).build()),
        "subnet_id '" + isolatedSubnet.getId() + "'", "81.1.0.0/16", "overlaps", seed.sub81.getId());
  }

  @Test
  @DisplayName("a subnet attached twice is ALREADY_EXISTS")
  void subnetAttachedTwice() {
    refused(GrpcStatus.ALREADY_EXISTS, () -> gw.fail(RouterServiceGrpcClient.AddRouterInterface,
        RouterInterfaceRequest.newBuilder().setRouterId(SeedTopology.ROUTER_ID).setSubnetId(seed.sub90.getId()).build()),
        seed.sub90.getId(), "already attached");
  }

  @Test
  @DisplayName("a gateway on a network that is not external is INVALID_ARGUMENT naming network_id")
  void gatewayOnInternalNetwork() {
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(RouterServiceGrpcClient.SetRouterGateway,
        SetRouterGatewayRequest.newBuilder().setRouterId(SeedTopology.ROUTER_ID).setNetworkId(seed.net1.getId()).build()),
        "network_id '" + seed.net1.getId() + "'", "not an external network");
  }

  @Test
  @DisplayName("a floating IP for a port without a router path to its network is FAILED_PRECONDITION")
  void floatingIpWithoutRouterPath() {
    refused(GrpcStatus.FAILED_PRECONDITION, () -> gw.fail(FloatingIpServiceGrpcClient.AssociateFloatingIp,
        AssociateFloatingIpRequest.newBuilder().setId(spareFip.getId()).setPortId(isolatedVm.getId()).build()),
        seed.ext.getId(), isolatedSubnet.getId(), "not reachable");
    refused(GrpcStatus.FAILED_PRECONDITION, () -> gw.fail(FloatingIpServiceGrpcClient.CreateFloatingIp,
        CreateFloatingIpRequest.newBuilder().setFloatingNetworkId(seed.ext.getId()).setPortId(isolatedVm.getId()).build()),
        "not reachable");
  }

  @Test
  @DisplayName("a floating IP created onto an unknown port, a router's port or a fixed IP that has one is refused"
      + " and leaves no floating IP and no address taken")
  void floatingIpCreatedOntoAPortRefused() {
    CreateFloatingIpRequest.Builder onto = CreateFloatingIpRequest.newBuilder().setFloatingNetworkId(seed.ext.getId());
    refused(GrpcStatus.NOT_FOUND, () -> gw.fail(FloatingIpServiceGrpcClient.CreateFloatingIp,
        onto.clone().setPortId(UNKNOWN).build()), "port '" + UNKNOWN + "'");
    String routerPort = seed.router.getInterfaces(0).getPortId();
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(FloatingIpServiceGrpcClient.CreateFloatingIp,
        onto.clone().setPortId(routerPort).build()), "port_id", routerPort, "network:router_interface_distributed");
    refused(GrpcStatus.ALREADY_EXISTS, () -> gw.fail(FloatingIpServiceGrpcClient.CreateFloatingIp,
        onto.clone().setPortId(seed.vm1.getId()).build()), seed.vm1.getId(), "already has floating IP '"
        + seed.fip.getId() + "'");
  }

  @Test
  @DisplayName("a second floating IP for a fixed IP that has one is ALREADY_EXISTS naming both; an unknown floating IP"
      + " is NOT_FOUND before its port is looked at")
  void floatingIpTwiceOnAFixedIp() {
    refused(GrpcStatus.ALREADY_EXISTS, () -> gw.fail(FloatingIpServiceGrpcClient.AssociateFloatingIp,
        AssociateFloatingIpRequest.newBuilder().setId(spareFip.getId()).setPortId(seed.vm1.getId()).build()),
        "fixed IP", seed.vm1.getId(), "already has floating IP '" + seed.fip.getId() + "'");
    refused(GrpcStatus.NOT_FOUND, () -> gw.fail(FloatingIpServiceGrpcClient.AssociateFloatingIp,
        AssociateFloatingIpRequest.newBuilder().setId(UNKNOWN).setPortId(UUID.randomUUID().toString()).build()),
        "floating IP '" + UNKNOWN + "'");
  }

  @Test
  @DisplayName("deleting a network, subnet or router in use is FAILED_PRECONDITION")
  void deletingWhatIsInUse() {
    refused(GrpcStatus.FAILED_PRECONDITION, () -> gw.fail(NetworkServiceGrpcClient.DeleteNetwork,
        DeleteNetworkRequest.newBuilder().setId(seed.net1.getId()).build()), seed.net1.getId(), "in use");
    refused(GrpcStatus.FAILED_PRECONDITION, () -> gw.fail(SubnetServiceGrpcClient.DeleteSubnet,
        DeleteSubnetRequest.newBuilder().setId(seed.sub91.getId()).build()), seed.sub91.getId(), "in use");
    refused(GrpcStatus.FAILED_PRECONDITION, () -> gw.fail(RouterServiceGrpcClient.DeleteRouter,
        DeleteRouterRequest.newBuilder().setId(SeedTopology.ROUTER_ID).build()), SeedTopology.ROUTER_ID, "interface");
    refused(GrpcStatus.FAILED_PRECONDITION, () -> gw.fail(PortServiceGrpcClient.DeletePort,
        DeletePortRequest.newBuilder().setId(seed.router.getInterfaces(0).getPortId()).build()),
        "network:router_interface_distributed");
  }

  @Test
  @DisplayName("unknown ids are NOT_FOUND naming the id; malformed ids are INVALID_ARGUMENT")
  void unknownIds() {
    refused(GrpcStatus.NOT_FOUND, () -> gw.fail(NetworkServiceGrpcClient.GetNetwork,
        GetNetworkRequest.newBuilder().setId(UNKNOWN).build()), "network '" + UNKNOWN + "'");
    refused(GrpcStatus.NOT_FOUND, () -> gw.fail(RouterServiceGrpcClient.AddRouterInterface,
        RouterInterfaceRequest.newBuilder().setRouterId(SeedTopology.ROUTER_ID).setSubnetId(UNKNOWN).build()),
        "subnet '" + UNKNOWN + "'");
    refused(GrpcStatus.NOT_FOUND, () -> gw.fail(PortServiceGrpcClient.CreatePort,
        CreatePortRequest.newBuilder().setNetworkId(UNKNOWN).build()), "network '" + UNKNOWN + "'");
    refused(GrpcStatus.NOT_FOUND, () -> gw.fail(FloatingIpServiceGrpcClient.AssociateFloatingIp,
        AssociateFloatingIpRequest.newBuilder().setId(spareFip.getId()).setPortId(UNKNOWN).build()), "port '" + UNKNOWN + "'");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(RouterServiceGrpcClient.GetRouter,
        GetRouterRequest.newBuilder().setId("dvr-r1").build()), "id 'dvr-r1'", "UUID");
  }

  @Test
  @DisplayName("empty names and names over 255 characters are INVALID_ARGUMENT naming name")
  void badNames() {
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(NetworkServiceGrpcClient.CreateNetwork,
        CreateNetworkRequest.newBuilder().setName("").build()), "name ''", "empty");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(RouterServiceGrpcClient.CreateRouter,
        CreateRouterRequest.newBuilder().setName("  ").build()), "name '  '", "empty");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(SubnetServiceGrpcClient.CreateSubnet,
        subnet("10.20.0.0/24").setName("x".repeat(256)).build()), "name '", "256 characters");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(PortServiceGrpcClient.CreatePort,
        port(seed.net1).setName("y".repeat(300)).build()), "name '", "300 characters");
  }

  @Test
  @DisplayName("an MTU the network cannot carry is INVALID_ARGUMENT naming mtu, the value and the limit")
  void badMtu() {
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(NetworkServiceGrpcClient.CreateNetwork,
        CreateNetworkRequest.newBuilder().setName("jumbo").setMtu(1451).build()), "mtu '1451'", "68..1450", "VXLAN");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(NetworkServiceGrpcClient.CreateNetwork,
        CreateNetworkRequest.newBuilder().setName("zero").setMtu(0).build()), "mtu '0'", "68..1450");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(NetworkServiceGrpcClient.CreateNetwork,
        CreateNetworkRequest.newBuilder().setName("ext-jumbo").setRouterExternal(true).setMtu(1501).build()),
        "mtu '1501'", "68..1500", "external");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(NetworkServiceGrpcClient.UpdateNetwork,
        UpdateNetworkRequest.newBuilder().setId(seed.net1.getId()).setMtu(1500).build()), "mtu '1500'", "68..1450");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(NetworkServiceGrpcClient.UpdateNetwork,
        UpdateNetworkRequest.newBuilder().setId(seed.ext.getId()).setMtu(67).build()), "mtu '67'", "68..1500");
  }

  @Test
  @DisplayName("an exhausted pool is RESOURCE_EXHAUSTED naming the subnet")
  void exhaustedPool() {
    Network tiny = SeedTopology.network(gw, "tiny");
    Subnet tinySubnet = gw.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder()
        .setNetworkId(tiny.getId()).setName("tiny").setCidr("172.30.0.0/24")
        .addAllocationPools(AllocationPool.newBuilder().setStart("172.30.0.10").setEnd("172.30.0.10")).build());
    gw.call(PortServiceGrpcClient.CreatePort, port(tiny).build());
    refused(GrpcStatus.RESOURCE_EXHAUSTED, () -> gw.fail(PortServiceGrpcClient.CreatePort, port(tiny).build()),
        tinySubnet.getId(), "172.30.0.0/24", "no free IP address");
  }
}

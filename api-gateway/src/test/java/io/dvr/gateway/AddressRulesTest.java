package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.grpc.RpcFailure;
import io.dvr.proto.v1.CreateFloatingIpRequest;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.SetRouterGatewayRequest;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which addresses and MACs a port may hold: never a subnet's gateway_ip (but for the router
 * interface), never a DVR host MAC, never an address of a reserved range, never a network or
 * broadcast address; each refusal names the field and the value and changes nothing.
 */
@DisplayName("Addresses and MACs no port may take are refused, naming the field, the value and why")
class AddressRulesTest {
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

  private static void refused(GrpcStatus status, Supplier<RpcFailure> call, String... messageParts) {
    Refusals.refused(gw, status, call, messageParts);
  }

  private static CreatePortRequest.Builder port() {
    return CreatePortRequest.newBuilder().setNetworkId(seed.net1.getId()).setDeviceOwner("compute:nova");
  }

  private static CreatePortRequest fixedIp(String subnetId, String ip) {
    FixedIpRequest.Builder f = FixedIpRequest.newBuilder().setIpAddress(ip);
    if (subnetId != null) {
      f.setSubnetId(subnetId);
    }
    return port().addFixedIps(f).build();
  }

  private static CreateSubnetRequest subnet(Network net, String cidr) {
    return CreateSubnetRequest.newBuilder().setNetworkId(net.getId()).setName("s").setCidr(cidr).build();
  }

  @Test
  @DisplayName("the external subnet's gateway_ip is refused to a router gateway and to a floating IP")
  void externalGatewayIpIsNotGiven() {
    Router other = gw.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("r2").build());
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(RouterServiceGrpcClient.SetRouterGateway,
        SetRouterGatewayRequest.newBuilder().setRouterId(other.getId()).setNetworkId(seed.ext.getId())
            .setIpAddress("192.168.1.1").build()),
        "ip_address '192.168.1.1'", "gateway_ip of subnet '" + seed.extSubnet.getId() + "'");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(FloatingIpServiceGrpcClient.CreateFloatingIp,
        CreateFloatingIpRequest.newBuilder().setFloatingNetworkId(seed.ext.getId()).setFloatingIpAddress("192.168.1.1")
            .build()),
        "floating_ip_address '192.168.1.1'", "gateway_ip of subnet '" + seed.extSubnet.getId() + "'");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(PortServiceGrpcClient.CreatePort,
        fixedIp(seed.sub81.getId(), "81.1.180.1")), "fixed_ips[0].ip_address '81.1.180.1'", "gateway_ip");
  }

  @Test
  @DisplayName("addresses chosen by IPAM never include the gateway_ip, up to the pool's exhaustion")
  void ipamNeverGivesTheGateway() {
    Network ext = gw.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder()
        .setName("small-ext").setRouterExternal(true).build());
    gw.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder().setNetworkId(ext.getId())
        .setName("small").setCidr("172.31.5.0/29").setGatewayIp("172.31.5.3").build());
    List<String> given = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      FloatingIp fip = gw.call(FloatingIpServiceGrpcClient.CreateFloatingIp,
          CreateFloatingIpRequest.newBuilder().setFloatingNetworkId(ext.getId()).build());
      given.add(fip.getFloatingIpAddress());
    }
    assertThat(given).containsExactly("172.31.5.1", "172.31.5.2", "172.31.5.4", "172.31.5.5", "172.31.5.6");
    refused(GrpcStatus.RESOURCE_EXHAUSTED, () -> gw.fail(FloatingIpServiceGrpcClient.CreateFloatingIp,
        CreateFloatingIpRequest.newBuilder().setFloatingNetworkId(ext.getId()).build()), "no free IP address");
  }

  @Test
  @DisplayName("on a subnet made before these rules, IPAM skips the gateway_ip and reserved ranges in its pool")
  void olderSubnetsNeverGiveReservedAddresses() {
    Network legacy = SeedTopology.network(gw, "legacy");
    String subnetId = UUID.randomUUID().toString();
    // What an older version let through: 0.0.0.0/0, its pool across loopback and over the gateway.
    GatewayFixture.await(gw.gateway.database().pool().withTransaction(c -> c.query(
            "INSERT INTO subnets(id, network_id, name, cidr, gateway_ip) VALUES ('" + subnetId + "', '"
                + legacy.getId() + "', 'legacy', '0.0.0.0/0', '126.255.255.254')").execute()
        .compose(v -> c.query("INSERT INTO allocation_pools(subnet_id, first_ip, last_ip) VALUES ('" + subnetId
            + "', '126.255.255.253', '128.0.0.1')").execute())));
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(PortServiceGrpcClient.CreatePort,
        port().setNetworkId(legacy.getId()).addFixedIps(FixedIpRequest.newBuilder().setIpAddress("127.0.0.1")).build()),
        "fixed_ips[0].ip_address '127.0.0.1'", "reserved range 127.0.0.0/8 (loopback)");
    List<String> given = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      given.add(gw.call(PortServiceGrpcClient.CreatePort, port().setNetworkId(legacy.getId()).build())
          .getFixedIps(0).getIpAddress());
    }
    assertThat(given).containsExactly("126.255.255.253", "126.255.255.255", "128.0.0.0", "128.0.0.1");
    refused(GrpcStatus.RESOURCE_EXHAUSTED, () -> gw.fail(PortServiceGrpcClient.CreatePort,
        port().setNetworkId(legacy.getId()).build()), subnetId, "no free IP address");
  }

  @Test
  @DisplayName("a MAC in the DVR host range fa:16:3f is INVALID_ARGUMENT naming mac_address and the range")
  void dvrHostMacRefused() {
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(PortServiceGrpcClient.CreatePort,
        port().setMacAddress("fa:16:3f:00:00:01").build()),
        "mac_address 'fa:16:3f:00:00:01'", "reserved for DVR host MACs");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(PortServiceGrpcClient.CreatePort,
        port().setMacAddress("FA:16:3F:12:34:56").build()),
        "mac_address 'FA:16:3F:12:34:56'", "reserved for DVR host MACs");
    // Next to the range a user MAC is fine.
    assertThat(gw.call(PortServiceGrpcClient.CreatePort, port().setMacAddress("fa:16:40:00:00:01").build())
        .getMacAddress()).isEqualTo("fa:16:40:00:00:01");
  }

  @Test
  @DisplayName("a subnet overlapping 0/8, loopback, multicast, class E or limited broadcast is refused, tenant or external")
  void reservedRangesRefused() {
    Network tenant = SeedTopology.network(gw, "reserved-tenant");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(SubnetServiceGrpcClient.CreateSubnet, subnet(tenant, "0.0.0.0/0")),
        "cidr '0.0.0.0/0'", "reserved range 0.0.0.0/8");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(SubnetServiceGrpcClient.CreateSubnet, subnet(tenant, "0.1.0.0/16")),
        "cidr '0.1.0.0/16'", "0.0.0.0/8");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(SubnetServiceGrpcClient.CreateSubnet, subnet(tenant, "127.0.0.0/24")),
        "cidr '127.0.0.0/24'", "127.0.0.0/8 (loopback)");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(SubnetServiceGrpcClient.CreateSubnet, subnet(tenant, "96.0.0.0/3")),
        "cidr '96.0.0.0/3'", "loopback");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(SubnetServiceGrpcClient.CreateSubnet, subnet(tenant, "224.1.0.0/16")),
        "cidr '224.1.0.0/16'", "224.0.0.0/4 (multicast)");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(SubnetServiceGrpcClient.CreateSubnet, subnet(tenant, "240.0.0.0/8")),
        "cidr '240.0.0.0/8'", "240.0.0.0/4 (reserved, class E)");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(SubnetServiceGrpcClient.CreateSubnet,
        subnet(tenant, "255.255.255.0/30")), "cidr '255.255.255.0/30'", "class E");
    Network ext = gw.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder()
        .setName("reserved-ext").setRouterExternal(true).build());
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(SubnetServiceGrpcClient.CreateSubnet, subnet(ext, "127.1.0.0/16")),
        "cidr '127.1.0.0/16'", "loopback");
    // Right next to the ranges a subnet is fine.
    gw.call(SubnetServiceGrpcClient.CreateSubnet, subnet(tenant, "1.0.0.0/24"));
    gw.call(SubnetServiceGrpcClient.CreateSubnet, subnet(tenant, "223.255.255.0/24"));
  }

  @Test
  @DisplayName("a fixed IP equal to a subnet's network or broadcast address says so, naming the subnet")
  void networkAndBroadcastAddressesNamed() {
    String sub81 = seed.sub81.getId();
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(PortServiceGrpcClient.CreatePort, fixedIp(null, "81.1.180.0")),
        "fixed_ips[0].ip_address '81.1.180.0'", "network address of subnet '" + sub81 + "' (81.1.180.0/24)");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(PortServiceGrpcClient.CreatePort, fixedIp(null, "81.1.180.255")),
        "fixed_ips[0].ip_address '81.1.180.255'", "broadcast address of subnet '" + sub81 + "' (81.1.180.0/24)");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(PortServiceGrpcClient.CreatePort, fixedIp(sub81, "81.1.180.255")),
        "fixed_ips[0].ip_address '81.1.180.255'", "broadcast address of subnet '" + sub81 + "'");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(FloatingIpServiceGrpcClient.CreateFloatingIp,
        CreateFloatingIpRequest.newBuilder().setFloatingNetworkId(seed.ext.getId()).setFloatingIpAddress("192.168.1.255")
            .build()),
        "floating_ip_address '192.168.1.255'", "broadcast address of subnet '" + seed.extSubnet.getId() + "'");
    Router other = gw.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("r3").build());
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(RouterServiceGrpcClient.SetRouterGateway,
        SetRouterGatewayRequest.newBuilder().setRouterId(other.getId()).setNetworkId(seed.ext.getId())
            .setIpAddress("192.168.1.0").build()),
        "ip_address '192.168.1.0'", "network address of subnet '" + seed.extSubnet.getId() + "'");
  }

  @Test
  @DisplayName("fullwidth and Arabic-Indic digits in a CIDR or a fixed IP are INVALID_ARGUMENT")
  void nonAsciiDigitsRefused() {
    Network tenant = SeedTopology.network(gw, "digits");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(SubnetServiceGrpcClient.CreateSubnet,
        subnet(tenant, "\uFF110.1.7.0/24")), "cidr '\uFF110.1.7.0/24'");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(SubnetServiceGrpcClient.CreateSubnet,
        subnet(tenant, "10.1.\u0668.0/24")), "cidr '10.1.\u0668.0/24'");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(SubnetServiceGrpcClient.CreateSubnet,
        subnet(tenant, "10.1.8.0/\u0662\u0664")), "cidr '10.1.8.0/\u0662\u0664'");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(PortServiceGrpcClient.CreatePort,
        fixedIp(null, "\uFF18\uFF11.1.180.12")), "fixed_ips[0].ip_address '\uFF18\uFF11.1.180.12'");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw.fail(PortServiceGrpcClient.CreatePort,
        fixedIp(seed.sub81.getId(), "81.1.180.\u0661\u0662")), "fixed_ips[0].ip_address '81.1.180.\u0661\u0662'");
  }
}

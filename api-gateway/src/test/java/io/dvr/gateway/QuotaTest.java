package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.grpc.RpcFailure;
import io.dvr.proto.v1.CreateFloatingIpRequest;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.GetQuotaRequest;
import io.dvr.proto.v1.IssueTokenRequest;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Quota;
import io.dvr.proto.v1.QuotaServiceGrpcClient;
import io.dvr.proto.v1.QuotaUsage;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterInterfaceRequest;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.SetRouterGatewayRequest;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import io.dvr.proto.v1.TokenServiceGrpcClient;
import io.dvr.proto.v1.UpdateQuotaRequest;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Quotas per project: Neutron's defaults, set by admins, exact at the limit, also under concurrent creates")
class QuotaTest {
  @TempDir static Path dataDir;
  static GatewayFixture gw;

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static ApiClient member(String project) {
    return gw.as(gw.call(TokenServiceGrpcClient.IssueToken, IssueTokenRequest.newBuilder().setProjectId(project)
        .setRole("member").setTtlSeconds(3600).build()).getToken());
  }

  static QuotaUsage setQuota(UpdateQuotaRequest.Builder request) {
    return gw.call(QuotaServiceGrpcClient.UpdateQuota, request.build());
  }

  static Subnet subnet(ApiClient c, String cidr) {
    Network net = c.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName("n").build());
    return c.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder().setNetworkId(net.getId())
        .setCidr(cidr).build());
  }

  @Test
  @DisplayName("a new project has Neutron's defaults (network 100, subnet 100, port 500, router 10, floatingip 50)")
  void defaults() {
    QuotaUsage usage = member("fresh").call(QuotaServiceGrpcClient.GetQuota, GetQuotaRequest.getDefaultInstance());
    assertThat(usage.getLimits()).isEqualTo(Quota.newBuilder().setProjectId("fresh").setNetwork(100).setSubnet(100)
        .setPort(500).setRouter(10).setFloatingip(50).build());
    assertThat(usage.getInUse()).isEqualTo(Quota.newBuilder().setProjectId("fresh").build());
  }

  @Test
  @DisplayName("at the limit a create passes; over it RESOURCE_EXHAUSTED names the quota, and nothing is made")
  void routerQuota() {
    setQuota(UpdateQuotaRequest.newBuilder().setProjectId("q-router").setRouter(2));
    ApiClient m = member("q-router");
    for (int i = 0; i < 2; i++) {
      m.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("r" + i).build());
    }
    RpcFailure over = m.fail(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("r3").build());
    assertThat(over.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
    assertThat(over.detail()).isEqualTo("quota exceeded for router: 2 of 2 in project q-router");
    assertThat(m.call(QuotaServiceGrpcClient.GetQuota, GetQuotaRequest.getDefaultInstance()).getInUse().getRouter())
        .isEqualTo(2);
    // Raised by an admin, the next create passes.
    setQuota(UpdateQuotaRequest.newBuilder().setProjectId("q-router").setRouter(3));
    m.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("r3").build());
  }

  @Test
  @DisplayName("networks, subnets and floating IPs stop at their quotas too")
  void otherQuotas() {
    setQuota(UpdateQuotaRequest.newBuilder().setProjectId("q-misc").setNetwork(1).setSubnet(1).setFloatingip(1));
    ApiClient m = member("q-misc");
    Subnet s = subnet(m, "10.1.0.0/24");
    RpcFailure net = m.fail(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName("n2").build());
    assertThat(net.detail()).isEqualTo("quota exceeded for network: 1 of 1 in project q-misc");
    RpcFailure sub = m.fail(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder()
        .setNetworkId(s.getNetworkId()).setCidr("10.2.0.0/24").build());
    assertThat(sub.detail()).isEqualTo("quota exceeded for subnet: 1 of 1 in project q-misc");
    Network ext = gw.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName("ext")
        .setRouterExternal(true).build());
    gw.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder().setNetworkId(ext.getId())
        .setCidr("192.168.50.0/24").build());
    CreateFloatingIpRequest fip = CreateFloatingIpRequest.newBuilder().setFloatingNetworkId(ext.getId()).build();
    m.call(FloatingIpServiceGrpcClient.CreateFloatingIp, fip);
    RpcFailure overFip = m.fail(FloatingIpServiceGrpcClient.CreateFloatingIp, fip);
    assertThat(overFip.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
    assertThat(overFip.detail()).isEqualTo("quota exceeded for floatingip: 1 of 1 in project q-misc");
    // Created onto the project's own port: the quota is judged before the port is associated.
    Port own = m.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(s.getNetworkId())
        .setDeviceOwner("compute:nova").build());
    RpcFailure overFipOntoPort = m.fail(FloatingIpServiceGrpcClient.CreateFloatingIp,
        fip.toBuilder().setPortId(own.getId()).build());
    assertThat(overFipOntoPort.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
    assertThat(overFipOntoPort.detail()).isEqualTo("quota exceeded for floatingip: 1 of 1 in project q-misc");
  }

  @Test
  @DisplayName("concurrent port creates of one project never pass the quota: exactly the limit succeed")
  void concurrentPorts() {
    setQuota(UpdateQuotaRequest.newBuilder().setProjectId("q-race").setPort(5));
    ApiClient m = member("q-race");
    // A network each, so that no subnet lock lines the creates up: only the quota's own lock may.
    List<String> networks = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      networks.add(subnet(m, "10.10." + i + ".0/24").getNetworkId());
    }
    List<Future<Port>> creates = new ArrayList<>();
    for (int i = 0; i < 36; i++) {
      creates.add(m.async(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder()
          .setNetworkId(networks.get(i % networks.size())).setName("vm" + i).build()));
    }
    int made = 0;
    for (Future<Port> f : creates) {
      try {
        ApiClient.await(f);
        made++;
      } catch (RpcFailure e) {
        assertThat(e.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
        assertThat(e.detail()).isEqualTo("quota exceeded for port: 5 of 5 in project q-race");
      }
    }
    assertThat(made).isEqualTo(5);
    assertThat(m.call(PortServiceGrpcClient.ListPorts, ListPortsRequest.getDefaultInstance()).getPortsCount()).isEqualTo(5);
  }

  @Test
  @DisplayName("ports the system makes (router interface, gateway, SNAT, floating IP) do not count against the port quota")
  void systemPortsDoNotCount() {
    setQuota(UpdateQuotaRequest.newBuilder().setProjectId("q-sys").setPort(1));
    ApiClient m = member("q-sys");
    Subnet s = subnet(m, "10.20.0.0/24");
    m.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(s.getNetworkId()).build());
    Network ext = gw.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName("ext-sys")
        .setRouterExternal(true).build());
    gw.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder().setNetworkId(ext.getId())
        .setCidr("192.168.60.0/24").build());
    Router r = m.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("r").build());
    m.call(RouterServiceGrpcClient.AddRouterInterface, RouterInterfaceRequest.newBuilder().setRouterId(r.getId())
        .setSubnetId(s.getId()).build());
    Router withGateway = m.call(RouterServiceGrpcClient.SetRouterGateway, SetRouterGatewayRequest.newBuilder()
        .setRouterId(r.getId()).setNetworkId(ext.getId()).build());
    assertThat(withGateway.getInterfaces(0).getSnatPortId()).isNotEmpty();
    m.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
        .setFloatingNetworkId(ext.getId()).build());
    QuotaUsage usage = m.call(QuotaServiceGrpcClient.GetQuota, GetQuotaRequest.getDefaultInstance());
    assertThat(usage.getInUse().getPort()).isEqualTo(1);
    // The system's ports are the project's to see: 1 VM port, interface, SNAT, gateway, floating IP port.
    assertThat(m.call(PortServiceGrpcClient.ListPorts, ListPortsRequest.getDefaultInstance()).getPortsList())
        .extracting(Port::getDeviceOwner).containsExactlyInAnyOrder("", "network:router_interface_distributed",
            "network:router_centralized_snat", "network:router_gateway", "network:floatingip");
  }

  @Test
  @DisplayName("only an admin sets quotas or reads another project's; a member reads its own")
  void whoMay() {
    ApiClient m = member("q-who");
    RpcFailure set = m.fail(QuotaServiceGrpcClient.UpdateQuota, UpdateQuotaRequest.newBuilder().setProjectId("q-who")
        .setPort(1000).build());
    assertThat(set.status()).isEqualTo(GrpcStatus.PERMISSION_DENIED);
    RpcFailure other = m.fail(QuotaServiceGrpcClient.GetQuota, GetQuotaRequest.newBuilder().setProjectId("q-else").build());
    assertThat(other.status()).isEqualTo(GrpcStatus.PERMISSION_DENIED);
    RpcFailure bad = gw.fail(QuotaServiceGrpcClient.UpdateQuota, UpdateQuotaRequest.newBuilder().setProjectId("q-who")
        .setPort(-2).build());
    assertThat(bad.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(bad.detail()).isEqualTo("port '-2': a quota is -1 (unlimited) or at least 0");
  }
}

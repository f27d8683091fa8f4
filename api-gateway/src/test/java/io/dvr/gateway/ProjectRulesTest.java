package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.grpc.RpcFailure;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.AssociateFloatingIpRequest;
import io.dvr.proto.v1.CreateFloatingIpRequest;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.DeleteAgentRequest;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.GetAgentRequest;
import io.dvr.proto.v1.GetHostStateRequest;
import io.dvr.proto.v1.GetNetworkRequest;
import io.dvr.proto.v1.IssueTokenRequest;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.ListRouterHostsRequest;
import io.dvr.proto.v1.ListSubnetsRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.ReportAgentStateRequest;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterInterfaceRequest;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.SetRouterGatewayRequest;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import io.dvr.proto.v1.TokenServiceGrpcClient;
import io.dvr.proto.v1.UpdateNetworkRequest;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Projects as Neutron keeps them: shared external networks, no reach into another project, agents for admins")
class ProjectRulesTest {
  @TempDir static Path dataDir;
  static GatewayFixture gw;
  static ApiClient alpha;
  static ApiClient beta;
  static ApiClient alphaReader;
  static Network ext;

  static ApiClient token(String project, String role) {
    return gw.as(gw.call(TokenServiceGrpcClient.IssueToken, IssueTokenRequest.newBuilder().setProjectId(project)
        .setRole(role).setTtlSeconds(3600).build()).getToken());
  }

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
    alpha = token("alpha", "member");
    beta = token("beta", "member");
    alphaReader = token("alpha", "reader");
    ext = gw.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName("ext-net")
        .setRouterExternal(true).build());
    gw.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder().setNetworkId(ext.getId())
        .setCidr("192.168.1.0/24").setName("ext-subnet").build());
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static RpcFailure refused(GrpcStatus status, Supplier<RpcFailure> call, String message) {
    RpcFailure f = call.get();
    assertThat(f.status()).as(f.getMessage()).isEqualTo(status);
    assertThat(f.detail()).isEqualTo(message);
    return f;
  }

  static Subnet subnet(ApiClient c, String cidr) {
    Network net = c.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName("net").build());
    return c.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder().setNetworkId(net.getId())
        .setCidr(cidr).build());
  }

  @Test
  @DisplayName("an external network and its subnets are visible to every project; only its own project or an admin changes it")
  void externalNetworksAreShared() {
    assertThat(beta.call(NetworkServiceGrpcClient.ListNetworks, ListNetworksRequest.getDefaultInstance())
        .getNetworksList()).extracting(Network::getId).contains(ext.getId());
    assertThat(beta.call(NetworkServiceGrpcClient.GetNetwork, GetNetworkRequest.newBuilder().setId(ext.getId()).build())
        .getName()).isEqualTo("ext-net");
    assertThat(beta.call(SubnetServiceGrpcClient.ListSubnets, ListSubnetsRequest.newBuilder().setNetworkId(ext.getId())
        .build()).getSubnetsCount()).isEqualTo(1);
    String denied = "network '" + ext.getId() + "' is an external network of another project: every project may"
        + " use it for router gateways and floating IPs, only its own project or an admin may change it or add to it";
    refused(GrpcStatus.PERMISSION_DENIED, () -> beta.fail(NetworkServiceGrpcClient.UpdateNetwork,
        UpdateNetworkRequest.newBuilder().setId(ext.getId()).setName("mine").build()), denied);
    refused(GrpcStatus.PERMISSION_DENIED, () -> beta.fail(PortServiceGrpcClient.CreatePort,
        CreatePortRequest.newBuilder().setNetworkId(ext.getId()).build()), denied);
    refused(GrpcStatus.PERMISSION_DENIED, () -> beta.fail(NetworkServiceGrpcClient.CreateNetwork,
        CreateNetworkRequest.newBuilder().setName("my-ext").setRouterExternal(true).build()),
        "router_external 'true': only an admin may create an external network");
  }

  @Test
  @DisplayName("a member's router takes a gateway and floating IPs on the shared external network, for its own ports")
  void externalNetworkCarriesEveryProject() {
    Subnet s = subnet(alpha, "10.1.0.0/24");
    Router r = alpha.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("r").build());
    alpha.call(RouterServiceGrpcClient.AddRouterInterface, RouterInterfaceRequest.newBuilder().setRouterId(r.getId())
        .setSubnetId(s.getId()).build());
    Router gwSet = alpha.call(RouterServiceGrpcClient.SetRouterGateway, SetRouterGatewayRequest.newBuilder()
        .setRouterId(r.getId()).setNetworkId(ext.getId()).build());
    assertThat(gwSet.getExternalGatewayInfo().getNetworkId()).isEqualTo(ext.getId());
    Port vm = alpha.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(s.getNetworkId())
        .setName("vm").setBindingHost("compute1").setDeviceOwner("compute:nova").build());
    FloatingIp fip = alpha.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
        .setFloatingNetworkId(ext.getId()).setPortId(vm.getId()).build());
    assertThat(fip.getRouterId()).isEqualTo(r.getId());
    assertThat(fip.getProjectId()).isEqualTo("alpha");

    // beta can neither take alpha's port for its floating IP nor see that it exists.
    FloatingIp betaFip = beta.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
        .setFloatingNetworkId(ext.getId()).build());
    refused(GrpcStatus.NOT_FOUND, () -> beta.fail(FloatingIpServiceGrpcClient.AssociateFloatingIp,
        AssociateFloatingIpRequest.newBuilder().setId(betaFip.getId()).setPortId(vm.getId()).build()),
        "port '" + vm.getId() + "' not found");
    refused(GrpcStatus.NOT_FOUND, () -> beta.fail(FloatingIpServiceGrpcClient.CreateFloatingIp,
        CreateFloatingIpRequest.newBuilder().setFloatingNetworkId(ext.getId()).setPortId(vm.getId()).build()),
        "port '" + vm.getId() + "' not found");
  }

  @Test
  @DisplayName("no member attaches another project's subnet to its router, nor its subnet to another's router, nor uses its network")
  void noReachIntoAnotherProject() {
    Subnet alphas = subnet(alpha, "10.2.0.0/24");
    Subnet betas = subnet(beta, "10.3.0.0/24");
    Router alphaRouter = alpha.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("a").build());
    Router betaRouter = beta.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("b").build());
    refused(GrpcStatus.NOT_FOUND, () -> alpha.fail(RouterServiceGrpcClient.AddRouterInterface, RouterInterfaceRequest
        .newBuilder().setRouterId(alphaRouter.getId()).setSubnetId(betas.getId()).build()),
        "subnet '" + betas.getId() + "' not found");
    refused(GrpcStatus.NOT_FOUND, () -> alpha.fail(RouterServiceGrpcClient.AddRouterInterface, RouterInterfaceRequest
        .newBuilder().setRouterId(betaRouter.getId()).setSubnetId(alphas.getId()).build()),
        "router '" + betaRouter.getId() + "' not found");
    refused(GrpcStatus.NOT_FOUND, () -> alpha.fail(RouterServiceGrpcClient.SetRouterGateway, SetRouterGatewayRequest
        .newBuilder().setRouterId(alphaRouter.getId()).setNetworkId(betas.getNetworkId()).build()),
        "network '" + betas.getNetworkId() + "' not found");
    refused(GrpcStatus.NOT_FOUND, () -> alpha.fail(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder()
        .setNetworkId(alphas.getNetworkId()).addFixedIps(io.dvr.proto.v1.FixedIpRequest.newBuilder()
            .setSubnetId(betas.getId())).build()), "subnet '" + betas.getId() + "' not found");
    // An admin may join them (Neutron's admin does).
    gw.call(RouterServiceGrpcClient.AddRouterInterface, RouterInterfaceRequest.newBuilder()
        .setRouterId(alphaRouter.getId()).setSubnetId(betas.getId()).build());
  }

  @Test
  @DisplayName("agents and host state are an admin's: members and readers get PERMISSION_DENIED; agents still report")
  void agentsAreForAdmins() {
    String agentId = gw.asAgent("compute7").call(AgentServiceGrpcClient.ReportAgentState, ReportAgentStateRequest.newBuilder()
        .setHost("compute7").setAgentType("L3 agent").setAgentMode("dvr").build()).getId();
    Router r = alpha.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("h").build());
    for (ApiClient c : List.of(alpha, alphaReader)) {
      refused(GrpcStatus.PERMISSION_DENIED, () -> c.fail(AgentServiceGrpcClient.ListAgents,
          ListAgentsRequest.getDefaultInstance()), "ListAgents is for admins only");
      refused(GrpcStatus.PERMISSION_DENIED, () -> c.fail(AgentServiceGrpcClient.GetAgent,
          GetAgentRequest.newBuilder().setId(agentId).build()), "GetAgent is for admins only");
      refused(GrpcStatus.PERMISSION_DENIED, () -> c.fail(AgentServiceGrpcClient.DeleteAgent,
          DeleteAgentRequest.newBuilder().setId(agentId).build()), "DeleteAgent is for admins only");
      refused(GrpcStatus.PERMISSION_DENIED, () -> c.fail(AgentServiceGrpcClient.GetHostState,
          GetHostStateRequest.newBuilder().setHost("compute7").build()), "GetHostState is for admins only");
      refused(GrpcStatus.PERMISSION_DENIED, () -> c.fail(RouterServiceGrpcClient.ListRouterHosts,
          ListRouterHostsRequest.newBuilder().setRouterId(r.getId()).build()), "ListRouterHosts is for admins only");
    }
    assertThat(gw.call(AgentServiceGrpcClient.ListAgents, ListAgentsRequest.getDefaultInstance()).getAgentsCount())
        .isEqualTo(1);
  }

  @Test
  @DisplayName("a member may not create in another project; an admin may, and a reader creates nothing")
  void creatingElsewhere() {
    refused(GrpcStatus.PERMISSION_DENIED, () -> alpha.fail(NetworkServiceGrpcClient.CreateNetwork,
        CreateNetworkRequest.newBuilder().setName("x").setProjectId("beta").build()),
        "project_id 'beta': only an admin may create resources in another project");
    assertThat(gw.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName("x")
        .setProjectId("beta").build()).getProjectId()).isEqualTo("beta");
    refused(GrpcStatus.PERMISSION_DENIED, () -> alphaReader.fail(NetworkServiceGrpcClient.CreateNetwork,
        CreateNetworkRequest.newBuilder().setName("x").build()),
        "CreateNetwork changes resources: the role reader may only read (member or admin needed)");
  }
}

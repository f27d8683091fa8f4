package io.dvr.bench;

import io.dvr.common.grpc.Unary;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.AllocationPool;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.ListRouterHostsRequest;
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
import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.ServiceMethod;

/** The dvr.v1 calls the benchmark makes, over real gRPC to the in-process api-gateway. */
final class Api {
  static final long TIMEOUT_MS = 30_000;

  private final GrpcClient client;
  private final SocketAddress server;
  private final String token;

  Api(GrpcClient client, SocketAddress server, String token) {
    this.client = client;
    this.server = server;
    this.token = token;
  }

  <Q, R> Future<R> call(ServiceMethod<R, Q> method, Q request) {
    return Unary.call(client, server, method, request, TIMEOUT_MS, token);
  }

  /** Lifts the admin project's quotas: the benchmarks make more than a project's defaults allow. */
  Future<Void> unlimitedQuotas() {
    return call(io.dvr.proto.v1.QuotaServiceGrpcClient.UpdateQuota, io.dvr.proto.v1.UpdateQuotaRequest.newBuilder()
        .setProjectId("admin").setNetwork(-1).setSubnet(-1).setPort(-1).setRouter(-1).setFloatingip(-1).build())
        .mapEmpty();
  }

  Future<Network> network(String name, boolean external) {
    return call(NetworkServiceGrpcClient.CreateNetwork,
        CreateNetworkRequest.newBuilder().setName(name).setRouterExternal(external).build());
  }

  Future<Subnet> subnet(String networkId, String name, String cidr) {
    return call(SubnetServiceGrpcClient.CreateSubnet,
        CreateSubnetRequest.newBuilder().setNetworkId(networkId).setName(name).setCidr(cidr).build());
  }

  Future<Subnet> externalSubnet(String networkId, String cidr, String gateway, String poolStart, String poolEnd) {
    return call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder().setNetworkId(networkId)
        .setName("ext-subnet").setCidr(cidr).setGatewayIp(gateway)
        .addAllocationPools(AllocationPool.newBuilder().setStart(poolStart).setEnd(poolEnd)).build());
  }

  Future<Router> router(String name) {
    return call(RouterServiceGrpcClient.CreateRouter,
        CreateRouterRequest.newBuilder().setName(name).setDistributed(true).build());
  }

  Future<Router> addInterface(String routerId, String subnetId) {
    return call(RouterServiceGrpcClient.AddRouterInterface,
        RouterInterfaceRequest.newBuilder().setRouterId(routerId).setSubnetId(subnetId).build());
  }

  Future<Router> setGateway(String routerId, String externalNetworkId) {
    return call(RouterServiceGrpcClient.SetRouterGateway,
        SetRouterGatewayRequest.newBuilder().setRouterId(routerId).setNetworkId(externalNetworkId).build());
  }

  /** A VM port on a host; ip and mac may be null to let the server choose. */
  Future<Port> vmPort(String networkId, String subnetId, String ip, String mac, String host) {
    CreatePortRequest.Builder b = CreatePortRequest.newBuilder().setNetworkId(networkId)
        .setDeviceOwner("compute:nova").setBindingHost(host);
    if (ip != null) {
      b.addFixedIps(FixedIpRequest.newBuilder().setSubnetId(subnetId).setIpAddress(ip));
    }
    if (mac != null) {
      b.setMacAddress(mac);
    }
    return call(PortServiceGrpcClient.CreatePort, b.build());
  }

  Future<Integer> agentCount() {
    return call(AgentServiceGrpcClient.ListAgents, ListAgentsRequest.newBuilder().setAgentType("L3 agent").build())
        .map(r -> r.getAgentsCount());
  }

  Future<Integer> routerHostCount(String routerId) {
    return call(RouterServiceGrpcClient.ListRouterHosts,
        ListRouterHostsRequest.newBuilder().setRouterId(routerId).build()).map(r -> r.getHostsCount());
  }
}

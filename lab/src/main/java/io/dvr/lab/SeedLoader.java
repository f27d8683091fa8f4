package io.dvr.lab;

import io.dvr.common.grpc.RpcFailure;
import io.dvr.common.grpc.Unary;
import io.dvr.proto.v1.AllocationPool;
import io.dvr.proto.v1.CreateFloatingIpRequest;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.GetRouterRequest;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.ListRoutersRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.RouterInterfaceRequest;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.SetRouterGatewayRequest;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.dvr.common.security.GrpcTls;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Optional;
import java.util.List;

/**
 * Loads the seed article's topology through the gRPC API (lab.seed=true): router dvr-r1 with the
 * seed's id, subnets 81/90/91.1.180.0/24, external network 192.168.1.0/24 with the router gateway
 * at .115, VM 81.1.180.18 on compute1 with floating IP .116 and VM 90.1.180.6 on compute2.
 * Loads only into a database without networks and routers: when the seed's router is there (a lab
 * restarted on its data directory), or anything else is (the walk-through's own ext-net and dvr-r1
 * under other ids), it creates nothing, so that a start with the flag never duplicates resources.
 */
final class SeedLoader {
  static final String ROUTER_ID = "e8f12f7a-6938-4e65-88c4-97e4cb211b27";
  static final String EXT_NET_ID = "557e9f0c-9c66-46da-b289-218d49c218d2";

  private final GrpcClient client;
  private final SocketAddress api;
  private final String token;

  /** {@code tls}: how the lab's own client reaches its API (TLS with a service's certificate, unless insecure). */
  private SeedLoader(Vertx vertx, int apiPort, GrpcTls tls, String token) {
    this.client = tls.newClient(vertx);
    this.api = SocketAddress.inetSocketAddress(apiPort, "127.0.0.1");
    this.token = token;
  }

  /** A loader that calls the API as the admin whose token is in the file (none: authentication is off). */
  static Future<SeedLoader> open(Vertx vertx, int apiPort, GrpcTls tls, Optional<Path> adminToken) {
    Future<String> token = adminToken.isEmpty() ? Future.succeededFuture(null)
        : vertx.fileSystem().readFile(adminToken.get().toString()).map(b -> b.toString().trim());
    return token.map(t -> new SeedLoader(vertx, apiPort, tls, t));
  }

  private <Q, R> Future<R> call(ServiceMethod<R, Q> method, Q request) {
    return Unary.call(client, api, method, request, 10_000, token);
  }

  /** What a load did. */
  enum Outcome {
    LOADED("loaded the seed's topology (router dvr-r1 " + ROUTER_ID + ")"),
    ALREADY_THERE("the seed's topology is already there (router dvr-r1 " + ROUTER_ID + "): nothing seeded"),
    NOT_EMPTY("the database already holds networks or routers, and the seed is loaded only into an empty one:"
        + " nothing seeded (start on a new DVR_DB_DATA_DIR to get the seed's topology)");

    final String message;

    Outcome(String message) {
      this.message = message;
    }
  }

  Future<Outcome> load() {
    return call(RouterServiceGrpcClient.GetRouter, GetRouterRequest.newBuilder().setId(ROUTER_ID).build())
        .map(existing -> Outcome.ALREADY_THERE)
        .recover(err -> err instanceof RpcFailure f && f.status() == GrpcStatus.NOT_FOUND
            ? loadIfEmpty() : Future.failedFuture(err))
        .eventually(client::close);
  }

  private Future<Outcome> loadIfEmpty() {
    return call(NetworkServiceGrpcClient.ListNetworks, ListNetworksRequest.newBuilder().setPageSize(1).build())
        .compose(nets -> call(RouterServiceGrpcClient.ListRouters, ListRoutersRequest.newBuilder().setPageSize(1).build())
            .map(routers -> nets.getNetworksCount() == 0 && routers.getRoutersCount() == 0))
        .compose(empty -> empty ? build().map(Outcome.LOADED) : Future.succeededFuture(Outcome.NOT_EMPTY));
  }

  private Future<Void> build() {
    List<Subnet> internal = new ArrayList<>();
    return call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder()
            .setName("ext-net").setRouterExternal(true).setId(EXT_NET_ID).build())
        .compose(ext -> call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder()
            .setNetworkId(ext.getId()).setName("ext-subnet").setCidr("192.168.1.0/24").setGatewayIp("192.168.1.1")
            .addAllocationPools(AllocationPool.newBuilder().setStart("192.168.1.100").setEnd("192.168.1.200")).build()))
        .compose(v -> internalSubnet("net1", "81.1.180.0/24").onSuccess(internal::add))
        .compose(v -> internalSubnet("net2", "90.1.180.0/24").onSuccess(internal::add))
        .compose(v -> internalSubnet("net3", "91.1.180.0/24").onSuccess(internal::add))
        .compose(v -> call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder()
            .setName("dvr-r1").setDistributed(true).setId(ROUTER_ID).build()))
        .compose(r -> attach(internal, 0))
        .compose(v -> call(RouterServiceGrpcClient.SetRouterGateway, SetRouterGatewayRequest.newBuilder()
            .setRouterId(ROUTER_ID).setNetworkId(EXT_NET_ID).setIpAddress("192.168.1.115").build()))
        .compose(v -> vm(internal.get(0), "vm1", "compute1", "81.1.180.18"))
        .compose(vm1 -> vm(internal.get(1), "vm2", "compute2", "90.1.180.6").map(vm1))
        .compose(vm1 -> call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
            .setFloatingNetworkId(EXT_NET_ID).setFloatingIpAddress("192.168.1.116").setPortId(vm1.getId()).build()))
        .mapEmpty();
  }

  private Future<Subnet> internalSubnet(String name, String cidr) {
    return call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName(name).build())
        .compose((Network net) -> call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder()
            .setNetworkId(net.getId()).setName("subnet" + cidr.substring(0, 2)).setCidr(cidr).build()));
  }

  private Future<Void> attach(List<Subnet> subnets, int i) {
    if (i == subnets.size()) {
      return Future.succeededFuture();
    }
    return call(RouterServiceGrpcClient.AddRouterInterface, RouterInterfaceRequest.newBuilder()
            .setRouterId(ROUTER_ID).setSubnetId(subnets.get(i).getId()).build())
        .compose(r -> attach(subnets, i + 1));
  }

  private Future<Port> vm(Subnet subnet, String name, String host, String ip) {
    return call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(subnet.getNetworkId())
        .setName(name).setDeviceOwner("compute:nova").setBindingHost(host)
        .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(subnet.getId()).setIpAddress(ip)).build());
  }
}

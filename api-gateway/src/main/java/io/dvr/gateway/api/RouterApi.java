package io.dvr.gateway.api;

import static io.dvr.gateway.api.Calls.call;

import io.dvr.gateway.api.Calls.Needs;
import io.dvr.gateway.auth.Authenticator;
import io.dvr.gateway.store.Ownership;
import io.dvr.gateway.store.Revisions;
import io.dvr.gateway.store.Ownership.Kind;
import io.dvr.gateway.store.Scope;
import io.dvr.store.Tx;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.grpc.ApiError;
import io.dvr.common.net.Ipv4;
import io.dvr.gateway.store.RouterStore;
import io.dvr.proto.v1.ListHostsForRouterRequest;
import io.dvr.proto.v1.ListHostsForRouterResponse;
import io.dvr.store.Store;
import io.dvr.proto.v1.ClearRouterGatewayRequest;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.DeleteRouterRequest;
import io.dvr.proto.v1.DeleteRouterResponse;
import io.dvr.proto.v1.GetRouterRequest;
import io.dvr.proto.v1.ListRouterHostsRequest;
import io.dvr.proto.v1.ListRouterHostsResponse;
import io.dvr.proto.v1.ListRoutersRequest;
import io.dvr.proto.v1.ListRoutersResponse;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterInterfaceRequest;
import io.dvr.proto.v1.RouterServiceService;
import io.dvr.proto.v1.SetRouterGatewayRequest;
import io.dvr.proto.v1.UpdateRouterRequest;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.core.Vertx;
import java.util.UUID;

/** dvr.v1.RouterService: routers, interfaces, gateways and the hosts carrying them. */
public final class RouterApi extends RouterServiceService {
  private final Vertx vertx;
  private final Store store;
  private final RouterStore routers;
  private final long busTimeoutMillis;
  private final Authenticator auth;

  /** {@code busTimeoutMillis} bounds the questions to scheduler-svc (where routers live). */
  public RouterApi(Authenticator auth, Vertx vertx, Store store, RouterStore routers, long busTimeoutMillis) {
    this.auth = auth;
    this.vertx = vertx;
    this.store = store;
    this.routers = routers;
    this.busTimeoutMillis = busTimeoutMillis;
  }

  @Override
  public Future<Router> createRouter(CreateRouterRequest r) {
    return call(auth, "CreateRouter", Needs.WRITE, r, caller -> {
      String project = Calls.project(caller, r.getProjectId(), caller.projectId());
      String name = Validate.name("name", r.getName());
      UUID id = Validate.newId(r.getId());
      boolean distributed = !r.hasDistributed() || r.getDistributed();
      boolean up = !r.hasAdminStateUp() || r.getAdminStateUp();
      boolean ha = r.hasHa() && r.getHa();
      if (ha && !caller.isAdmin()) {
        // Neutron's default policy create_router:ha: an admin's choice (it costs network-node capacity).
        throw new ApiError(GrpcStatus.PERMISSION_DENIED, "ha 'true': only an admin may create a highly available router");
      }
      if (ha && !distributed) {
        throw ApiError.invalid("ha", true, "is only for a distributed router (distributed 'false' given): a centralized"
            + " router's SNAT is not made highly available");
      }
      UUID gatewayNetwork = r.getGatewayNetworkId().isEmpty() ? null
          : Validate.id("gateway_network_id", r.getGatewayNetworkId());
      Ipv4 gatewayIp = Validate.optionalIp("gateway_ip_address", r.getGatewayIpAddress());
      // The router and its gateway in one transaction: a refused gateway makes no router.
      return store.write(tx -> routers.create(tx, id, name, distributed, ha, up, project)
          .compose(v -> gatewayNetwork == null ? Future.<Void>succeededFuture()
              : Ownership.requireVisible(tx, Kind.NETWORK, gatewayNetwork, caller.scope())
                  .compose(x -> routers.setGateway(tx, id, gatewayNetwork, gatewayIp)))
          .compose(v -> routers.require(tx, id)));
    });
  }

  @Override
  public Future<Router> getRouter(GetRouterRequest r) {
    return call(auth, "GetRouter", Needs.READ, r, caller -> {
      UUID id = Validate.id("id", r.getId());
      return store.read(tx -> own(tx, id, caller.scope()).compose(v -> routers.require(tx, id)));
    });
  }

  @Override
  public Future<ListRoutersResponse> listRouters(ListRoutersRequest r) {
    return call(auth, "ListRouters", Needs.READ, r, caller -> {
      int size = Validate.pageSize(r.getPageSize());
      UUID after = Validate.pageToken(r.getPageToken());
      return store.read(tx -> routers.list(tx, r.getName(), size, after, caller.scope()))
          .map(page -> ListRoutersResponse.newBuilder().addAllRouters(page.items())
              .setNextPageToken(page.nextToken()).build());
    });
  }

  @Override
  public Future<Router> updateRouter(UpdateRouterRequest r) {
    return call(auth, "UpdateRouter", Needs.WRITE, r, caller -> {
      UUID id = Validate.id("id", r.getId());
      String name = r.hasName() ? Validate.name("name", r.getName()) : null;
      Boolean up = r.hasAdminStateUp() ? r.getAdminStateUp() : null;
      Long ifRevision = r.hasIfRevision() ? r.getIfRevision() : null;
      return store.write(tx -> own(tx, id, caller.scope())
          .compose(v -> Revisions.require(tx, Revisions.Table.ROUTER, id, ifRevision))
          .compose(v -> routers.update(tx, id, name, up))
          .compose(v -> routers.require(tx, id)));
    });
  }

  @Override
  public Future<DeleteRouterResponse> deleteRouter(DeleteRouterRequest r) {
    return call(auth, "DeleteRouter", Needs.WRITE, r, caller -> {
      UUID id = Validate.id("id", r.getId());
      return store.write(tx -> own(tx, id, caller.scope()).compose(v -> routers.delete(tx, id))).map(v -> DeleteRouterResponse.getDefaultInstance());
    });
  }

  @Override
  public Future<Router> addRouterInterface(RouterInterfaceRequest r) {
    return call(auth, "AddRouterInterface", Needs.WRITE, r, caller -> {
      UUID router = Validate.id("router_id", r.getRouterId());
      if (byPort(r)) {
        UUID port = Validate.id("port_id", r.getPortId());
        // Only a port of the caller's project goes on its router (an admin may join any).
        return store.write(tx -> own(tx, router, caller.scope())
            .compose(v -> Ownership.requireOwned(tx, Kind.PORT, port, caller.scope()))
            .compose(v -> routers.addInterfaceByPort(tx, router, port)).compose(v -> routers.require(tx, router)));
      }
      UUID subnet = Validate.id("subnet_id", r.getSubnetId());
      // Only a subnet of the caller's project goes on its router (an admin may join any).
      return store.write(tx -> own(tx, router, caller.scope())
          .compose(v -> Ownership.requireOwned(tx, Kind.SUBNET, subnet, caller.scope()))
          .compose(v -> routers.addInterface(tx, router, subnet)).compose(v -> routers.require(tx, router)));
    });
  }

  @Override
  public Future<Router> removeRouterInterface(RouterInterfaceRequest r) {
    return call(auth, "RemoveRouterInterface", Needs.WRITE, r, caller -> {
      UUID router = Validate.id("router_id", r.getRouterId());
      if (byPort(r)) {
        UUID port = Validate.id("port_id", r.getPortId());
        return store.write(tx -> own(tx, router, caller.scope())
            .compose(v -> routers.subnetOfInterfacePort(tx, router, port))
            .compose(subnet -> routers.removeInterface(tx, router, subnet))
            .compose(v -> routers.require(tx, router)));
      }
      UUID subnet = Validate.id("subnet_id", r.getSubnetId());
      return store.write(tx -> own(tx, router, caller.scope()).compose(v -> routers.removeInterface(tx, router, subnet))
          .compose(v -> routers.require(tx, router)));
    });
  }

  /** Exactly one of subnet_id and port_id names the interface. */
  private static boolean byPort(RouterInterfaceRequest r) {
    if (r.getSubnetId().isEmpty() == r.getPortId().isEmpty()) {
      throw ApiError.invalid("give exactly one of subnet_id and port_id (subnet_id '" + r.getSubnetId()
          + "', port_id '" + r.getPortId() + "')");
    }
    return !r.getPortId().isEmpty();
  }

  @Override
  public Future<Router> setRouterGateway(SetRouterGatewayRequest r) {
    return call(auth, "SetRouterGateway", Needs.WRITE, r, caller -> {
      UUID router = Validate.id("router_id", r.getRouterId());
      UUID network = Validate.id("network_id", r.getNetworkId());
      Ipv4 ip = Validate.optionalIp("ip_address", r.getIpAddress());
      // Any project's external network will do; another project's internal one is not there.
      return store.write(tx -> own(tx, router, caller.scope())
          .compose(v -> Ownership.requireVisible(tx, Kind.NETWORK, network, caller.scope()))
          .compose(v -> routers.setGateway(tx, router, network, ip)).compose(v -> routers.require(tx, router)));
    });
  }

  @Override
  public Future<Router> clearRouterGateway(ClearRouterGatewayRequest r) {
    return call(auth, "ClearRouterGateway", Needs.WRITE, r, caller -> {
      UUID router = Validate.id("router_id", r.getRouterId());
      return store.write(tx -> own(tx, router, caller.scope()).compose(v -> routers.clearGateway(tx, router))
          .compose(v -> routers.require(tx, router)));
    });
  }

  @Override
  public Future<ListRouterHostsResponse> listRouterHosts(ListRouterHostsRequest r) {
    return call(auth, "ListRouterHosts", Needs.ADMIN, r, caller -> {
      UUID router = Validate.id("router_id", r.getRouterId());
      // Our own table says whether the router exists; where it lives is scheduler-svc's answer.
      return store.read(tx -> routers.require(tx, router))
          .compose(found -> Bus.request(vertx, EventAddresses.LIST_HOSTS_FOR_ROUTER,
              ListHostsForRouterRequest.newBuilder().setRouterId(router.toString()).build(),
              ListHostsForRouterResponse.parser(), busTimeoutMillis)
              .recover(err -> NoAnswer.unavailable(err, "scheduler-svc did not say where router '" + router + "' lives",
                  busTimeoutMillis)))
          .map(hosts -> ListRouterHostsResponse.newBuilder().addAllHosts(hosts.getHostsList()).build());
    });
  }

  private static Future<String> own(Tx tx, UUID router, Scope scope) {
    return Ownership.requireOwned(tx, Kind.ROUTER, router, scope);
  }
}

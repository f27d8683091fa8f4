package io.dvr.gateway.api;

import static io.dvr.gateway.api.Calls.call;

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
import io.vertx.core.Vertx;
import java.util.UUID;

/** dvr.v1.RouterService: routers, interfaces, gateways and the hosts carrying them. */
public final class RouterApi extends RouterServiceService {
  private final Vertx vertx;
  private final Store store;
  private final RouterStore routers;
  private final long busTimeoutMillis;

  /** {@code busTimeoutMillis} bounds the questions to scheduler-svc (where routers live). */
  public RouterApi(Vertx vertx, Store store, RouterStore routers, long busTimeoutMillis) {
    this.vertx = vertx;
    this.store = store;
    this.routers = routers;
    this.busTimeoutMillis = busTimeoutMillis;
  }

  @Override
  public Future<Router> createRouter(CreateRouterRequest r) {
    return call("CreateRouter", () -> {
      String name = Validate.name("name", r.getName());
      UUID id = Validate.newId(r.getId());
      boolean distributed = !r.hasDistributed() || r.getDistributed();
      boolean up = !r.hasAdminStateUp() || r.getAdminStateUp();
      return store.write(tx -> routers.create(tx, id, name, distributed, up).compose(v -> routers.require(tx, id)));
    });
  }

  @Override
  public Future<Router> getRouter(GetRouterRequest r) {
    return call("GetRouter", () -> {
      UUID id = Validate.id("id", r.getId());
      return store.read(tx -> routers.require(tx, id));
    });
  }

  @Override
  public Future<ListRoutersResponse> listRouters(ListRoutersRequest r) {
    return call("ListRouters", () -> {
      int size = Validate.pageSize(r.getPageSize());
      UUID after = Validate.pageToken(r.getPageToken());
      return store.read(tx -> routers.list(tx, r.getName(), size, after))
          .map(page -> ListRoutersResponse.newBuilder().addAllRouters(page.items())
              .setNextPageToken(page.nextToken()).build());
    });
  }

  @Override
  public Future<Router> updateRouter(UpdateRouterRequest r) {
    return call("UpdateRouter", () -> {
      UUID id = Validate.id("id", r.getId());
      String name = r.hasName() ? Validate.name("name", r.getName()) : null;
      Boolean up = r.hasAdminStateUp() ? r.getAdminStateUp() : null;
      return store.write(tx -> routers.update(tx, id, name, up).compose(v -> routers.require(tx, id)));
    });
  }

  @Override
  public Future<DeleteRouterResponse> deleteRouter(DeleteRouterRequest r) {
    return call("DeleteRouter", () -> {
      UUID id = Validate.id("id", r.getId());
      return store.write(tx -> routers.delete(tx, id)).map(v -> DeleteRouterResponse.getDefaultInstance());
    });
  }

  @Override
  public Future<Router> addRouterInterface(RouterInterfaceRequest r) {
    return call("AddRouterInterface", () -> {
      UUID router = Validate.id("router_id", r.getRouterId());
      UUID subnet = Validate.id("subnet_id", r.getSubnetId());
      return store.write(tx -> routers.addInterface(tx, router, subnet).compose(v -> routers.require(tx, router)));
    });
  }

  @Override
  public Future<Router> removeRouterInterface(RouterInterfaceRequest r) {
    return call("RemoveRouterInterface", () -> {
      UUID router = Validate.id("router_id", r.getRouterId());
      UUID subnet = Validate.id("subnet_id", r.getSubnetId());
      return store.write(tx -> routers.removeInterface(tx, router, subnet).compose(v -> routers.require(tx, router)));
    });
  }

  @Override
  public Future<Router> setRouterGateway(SetRouterGatewayRequest r) {
    return call("SetRouterGateway", () -> {
      UUID router = Validate.id("router_id", r.getRouterId());
      UUID network = Validate.id("network_id", r.getNetworkId());
      Ipv4 ip = Validate.optionalIp("ip_address", r.getIpAddress());
      return store.write(tx -> routers.setGateway(tx, router, network, ip).compose(v -> routers.require(tx, router)));
    });
  }

  @Override
  public Future<Router> clearRouterGateway(ClearRouterGatewayRequest r) {
    return call("ClearRouterGateway", () -> {
      UUID router = Validate.id("router_id", r.getRouterId());
      return store.write(tx -> routers.clearGateway(tx, router).compose(v -> routers.require(tx, router)));
    });
  }

  @Override
  public Future<ListRouterHostsResponse> listRouterHosts(ListRouterHostsRequest r) {
    return call("ListRouterHosts", () -> {
      UUID router = Validate.id("router_id", r.getRouterId());
      // Our own table says whether the router exists; where it lives is scheduler-svc's answer.
      return store.read(tx -> routers.require(tx, router))
          .compose(found -> Bus.request(vertx, EventAddresses.LIST_HOSTS_FOR_ROUTER,
              ListHostsForRouterRequest.newBuilder().setRouterId(router.toString()).build(),
              ListHostsForRouterResponse.parser(), busTimeoutMillis)
              .recover(err -> Future.failedFuture(err instanceof ApiError ? err : ApiError.unavailable(
                  "scheduler-svc did not say where router '" + router + "' lives: " + err.getMessage()))))
          .map(hosts -> ListRouterHostsResponse.newBuilder().addAllHosts(hosts.getHostsList()).build());
    });
  }
}

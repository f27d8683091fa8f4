package io.dvr.gateway.api;

import static io.dvr.gateway.api.Calls.call;

import io.dvr.common.grpc.ApiError;
import io.dvr.gateway.api.Calls.Needs;
import io.dvr.gateway.auth.Authenticator;
import io.dvr.gateway.store.Ownership;
import io.dvr.gateway.store.Revisions;
import io.dvr.gateway.store.Ownership.Kind;
import io.vertx.grpc.common.GrpcStatus;

import io.dvr.gateway.store.NetworkStore;
import io.dvr.store.Store;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.DeleteNetworkRequest;
import io.dvr.proto.v1.DeleteNetworkResponse;
import io.dvr.proto.v1.GetNetworkRequest;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.ListNetworksResponse;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceService;
import io.dvr.proto.v1.UpdateNetworkRequest;
import io.vertx.core.Future;
import java.util.UUID;

/** dvr.v1.NetworkService. */
public final class NetworkApi extends NetworkServiceService {
  private final Store store;
  private final NetworkStore networks;
  private final MtuPolicy mtu;
  private final Authenticator auth;

  public NetworkApi(Authenticator auth, Store store, NetworkStore networks, MtuPolicy mtu) {
    this.auth = auth;
    this.store = store;
    this.networks = networks;
    this.mtu = mtu;
  }

  @Override
  public Future<Network> createNetwork(CreateNetworkRequest r) {
    return call(auth, "CreateNetwork", Needs.WRITE, r, caller -> {
      String project = Calls.project(caller, r.getProjectId(), caller.projectId());
      if (r.getRouterExternal() && !caller.isAdmin()) {
        // As in Neutron: an external network is the cloud's, shared by every project.
        throw new ApiError(GrpcStatus.PERMISSION_DENIED, "router_external 'true': only an admin may create an"
            + " external network");
      }
      String name = Validate.name("name", r.getName());
      UUID id = Validate.newId(r.getId());
      boolean up = !r.hasAdminStateUp() || r.getAdminStateUp();
      int networkMtu = mtu.check(r.getRouterExternal(), r.hasMtu() ? r.getMtu() : null);
      return store.write(tx -> networks.createNetwork(tx, id, name, r.getRouterExternal(), up, networkMtu, project)
          .compose(v -> networks.requireNetwork(tx, id)));
    });
  }

  @Override
  public Future<Network> getNetwork(GetNetworkRequest r) {
    return call(auth, "GetNetwork", Needs.READ, r, caller -> {
      UUID id = Validate.id("id", r.getId());
      return store.read(tx -> Ownership.requireVisible(tx, Kind.NETWORK, id, caller.scope())
          .compose(owner -> networks.requireNetwork(tx, id)));
    });
  }

  @Override
  public Future<ListNetworksResponse> listNetworks(ListNetworksRequest r) {
    return call(auth, "ListNetworks", Needs.READ, r, caller -> {
      int size = Validate.pageSize(r.getPageSize());
      UUID after = Validate.pageToken(r.getPageToken());
      Boolean external = r.hasRouterExternal() ? r.getRouterExternal() : null;
      return store.read(tx -> networks.listNetworks(tx, r.getName(), external, size, after, caller.scope()))
          .map(page -> ListNetworksResponse.newBuilder().addAllNetworks(page.items())
              .setNextPageToken(page.nextToken()).build());
    });
  }

  @Override
  public Future<Network> updateNetwork(UpdateNetworkRequest r) {
    return call(auth, "UpdateNetwork", Needs.WRITE, r, caller -> {
      UUID id = Validate.id("id", r.getId());
      String name = r.hasName() ? Validate.name("name", r.getName()) : null;
      Boolean up = r.hasAdminStateUp() ? r.getAdminStateUp() : null;
      Long ifRevision = r.hasIfRevision() ? r.getIfRevision() : null;
      return store.write(tx -> Ownership.requireOwned(tx, Kind.NETWORK, id, caller.scope())
          .compose(owner -> Revisions.require(tx, Revisions.Table.NETWORK, id, ifRevision))
          .compose(owner -> r.hasMtu() ? networks.isExternal(tx, id).map(external -> mtu.check(external, r.getMtu()))
              : Future.<Integer>succeededFuture(null))
          .compose(newMtu -> networks.updateNetwork(tx, id, name, up, newMtu))
          .compose(v -> networks.requireNetwork(tx, id)));
    });
  }

  @Override
  public Future<DeleteNetworkResponse> deleteNetwork(DeleteNetworkRequest r) {
    return call(auth, "DeleteNetwork", Needs.WRITE, r, caller -> {
      UUID id = Validate.id("id", r.getId());
      return store.write(tx -> Ownership.requireOwned(tx, Kind.NETWORK, id, caller.scope())
          .compose(owner -> networks.deleteNetwork(tx, id))).map(v -> DeleteNetworkResponse.getDefaultInstance());
    });
  }
}

package io.dvr.gateway.api;

import static io.dvr.gateway.api.Calls.call;

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

  public NetworkApi(Store store, NetworkStore networks, MtuPolicy mtu) {
    this.store = store;
    this.networks = networks;
    this.mtu = mtu;
  }

  @Override
  public Future<Network> createNetwork(CreateNetworkRequest r) {
    return call("CreateNetwork", () -> {
      String name = Validate.name("name", r.getName());
      UUID id = Validate.newId(r.getId());
      boolean up = !r.hasAdminStateUp() || r.getAdminStateUp();
      int networkMtu = mtu.check(r.getRouterExternal(), r.hasMtu() ? r.getMtu() : null);
      return store.write(tx -> networks.createNetwork(tx, id, name, r.getRouterExternal(), up, networkMtu)
          .compose(v -> networks.requireNetwork(tx, id)));
    });
  }

  @Override
  public Future<Network> getNetwork(GetNetworkRequest r) {
    return call("GetNetwork", () -> {
      UUID id = Validate.id("id", r.getId());
      return store.read(tx -> networks.requireNetwork(tx, id));
    });
  }

  @Override
  public Future<ListNetworksResponse> listNetworks(ListNetworksRequest r) {
    return call("ListNetworks", () -> {
      int size = Validate.pageSize(r.getPageSize());
      UUID after = Validate.pageToken(r.getPageToken());
      Boolean external = r.hasRouterExternal() ? r.getRouterExternal() : null;
      return store.read(tx -> networks.listNetworks(tx, r.getName(), external, size, after))
          .map(page -> ListNetworksResponse.newBuilder().addAllNetworks(page.items())
              .setNextPageToken(page.nextToken()).build());
    });
  }

  @Override
  public Future<Network> updateNetwork(UpdateNetworkRequest r) {
    return call("UpdateNetwork", () -> {
      UUID id = Validate.id("id", r.getId());
      String name = r.hasName() ? Validate.name("name", r.getName()) : null;
      Boolean up = r.hasAdminStateUp() ? r.getAdminStateUp() : null;
      return store.write(tx -> (r.hasMtu() ? networks.isExternal(tx, id).map(external -> mtu.check(external, r.getMtu()))
              : Future.<Integer>succeededFuture(null))
          .compose(newMtu -> networks.updateNetwork(tx, id, name, up, newMtu))
          .compose(v -> networks.requireNetwork(tx, id)));
    });
  }

  @Override
  public Future<DeleteNetworkResponse> deleteNetwork(DeleteNetworkRequest r) {
    return call("DeleteNetwork", () -> {
      UUID id = Validate.id("id", r.getId());
      return store.write(tx -> networks.deleteNetwork(tx, id)).map(v -> DeleteNetworkResponse.getDefaultInstance());
    });
  }
}

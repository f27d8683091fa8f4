package io.dvr.gateway.api;

import static io.dvr.gateway.api.Calls.call;

import io.dvr.gateway.api.Calls.Needs;
import io.dvr.gateway.auth.Authenticator;
import io.dvr.gateway.store.Ownership;
import io.dvr.gateway.store.Ownership.Kind;

import io.dvr.gateway.store.NetworkStore;
import io.dvr.store.Store;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.DeleteSubnetRequest;
import io.dvr.proto.v1.DeleteSubnetResponse;
import io.dvr.proto.v1.GetSubnetRequest;
import io.dvr.proto.v1.ListSubnetsRequest;
import io.dvr.proto.v1.ListSubnetsResponse;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.SubnetServiceService;
import io.vertx.core.Future;
import java.util.UUID;

/** dvr.v1.SubnetService. */
public final class SubnetApi extends SubnetServiceService {
  private final Store store;
  private final NetworkStore networks;
  private final Authenticator auth;

  public SubnetApi(Authenticator auth, Store store, NetworkStore networks) {
    this.auth = auth;
    this.store = store;
    this.networks = networks;
  }

  @Override
  public Future<Subnet> createSubnet(CreateSubnetRequest r) {
    return call(auth, "CreateSubnet", Needs.WRITE, r, caller -> {
      NetworkStore.NewSubnet spec = SubnetSpec.of(r);
      // A subnet is its network's project's unless an admin says otherwise.
      return store.write(tx -> Ownership.requireOwned(tx, Kind.NETWORK, spec.networkId(), caller.scope())
          .compose(owner -> networks.createSubnet(tx, spec.in(Calls.project(caller, r.getProjectId(), owner))))
          .compose(id -> networks.requireSubnet(tx, id)));
    });
  }

  @Override
  public Future<Subnet> getSubnet(GetSubnetRequest r) {
    return call(auth, "GetSubnet", Needs.READ, r, caller -> {
      UUID id = Validate.id("id", r.getId());
      return store.read(tx -> Ownership.requireVisible(tx, Kind.SUBNET, id, caller.scope())
          .compose(owner -> networks.requireSubnet(tx, id)));
    });
  }

  @Override
  public Future<ListSubnetsResponse> listSubnets(ListSubnetsRequest r) {
    return call(auth, "ListSubnets", Needs.READ, r, caller -> {
      int size = Validate.pageSize(r.getPageSize());
      UUID after = Validate.pageToken(r.getPageToken());
      UUID network = Validate.optionalId("network_id", r.getNetworkId());
      return store.read(tx -> networks.listSubnets(tx, network, r.getName(), size, after, caller.scope()))
          .map(page -> ListSubnetsResponse.newBuilder().addAllSubnets(page.items())
              .setNextPageToken(page.nextToken()).build());
    });
  }

  @Override
  public Future<DeleteSubnetResponse> deleteSubnet(DeleteSubnetRequest r) {
    return call(auth, "DeleteSubnet", Needs.WRITE, r, caller -> {
      UUID id = Validate.id("id", r.getId());
      return store.write(tx -> Ownership.requireOwned(tx, Kind.SUBNET, id, caller.scope())
          .compose(owner -> networks.deleteSubnet(tx, id))).map(v -> DeleteSubnetResponse.getDefaultInstance());
    });
  }
}

package io.dvr.gateway.api;

import static io.dvr.gateway.api.Calls.call;

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

  public SubnetApi(Store store, NetworkStore networks) {
    this.store = store;
    this.networks = networks;
  }

  @Override
  public Future<Subnet> createSubnet(CreateSubnetRequest r) {
    return call("CreateSubnet", () -> {
      NetworkStore.NewSubnet spec = SubnetSpec.of(r);
      return store.write(tx -> networks.createSubnet(tx, spec).compose(id -> networks.requireSubnet(tx, id)));
    });
  }

  @Override
  public Future<Subnet> getSubnet(GetSubnetRequest r) {
    return call("GetSubnet", () -> {
      UUID id = Validate.id("id", r.getId());
      return store.read(tx -> networks.requireSubnet(tx, id));
    });
  }

  @Override
  public Future<ListSubnetsResponse> listSubnets(ListSubnetsRequest r) {
    return call("ListSubnets", () -> {
      int size = Validate.pageSize(r.getPageSize());
      UUID after = Validate.pageToken(r.getPageToken());
      UUID network = Validate.optionalId("network_id", r.getNetworkId());
      return store.read(tx -> networks.listSubnets(tx, network, r.getName(), size, after))
          .map(page -> ListSubnetsResponse.newBuilder().addAllSubnets(page.items())
              .setNextPageToken(page.nextToken()).build());
    });
  }

  @Override
  public Future<DeleteSubnetResponse> deleteSubnet(DeleteSubnetRequest r) {
    return call("DeleteSubnet", () -> {
      UUID id = Validate.id("id", r.getId());
      return store.write(tx -> networks.deleteSubnet(tx, id)).map(v -> DeleteSubnetResponse.getDefaultInstance());
    });
  }
}

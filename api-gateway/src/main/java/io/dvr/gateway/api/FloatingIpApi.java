package io.dvr.gateway.api;

import static io.dvr.gateway.api.Calls.call;

import io.dvr.common.net.Ipv4;
import io.dvr.gateway.store.FloatingIpStore;
import io.dvr.store.Store;
import io.dvr.proto.v1.AssociateFloatingIpRequest;
import io.dvr.proto.v1.CreateFloatingIpRequest;
import io.dvr.proto.v1.DeleteFloatingIpRequest;
import io.dvr.proto.v1.DeleteFloatingIpResponse;
import io.dvr.proto.v1.DisassociateFloatingIpRequest;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.FloatingIpServiceService;
import io.dvr.proto.v1.GetFloatingIpRequest;
import io.dvr.proto.v1.ListFloatingIpsRequest;
import io.dvr.proto.v1.ListFloatingIpsResponse;
import io.vertx.core.Future;
import java.util.UUID;

/** dvr.v1.FloatingIpService. */
public final class FloatingIpApi extends FloatingIpServiceService {
  private final Store store;
  private final FloatingIpStore fips;

  public FloatingIpApi(Store store, FloatingIpStore fips) {
    this.store = store;
    this.fips = fips;
  }

  @Override
  public Future<FloatingIp> createFloatingIp(CreateFloatingIpRequest r) {
    return call("CreateFloatingIp", () -> {
      UUID network = Validate.id("floating_network_id", r.getFloatingNetworkId());
      Ipv4 address = Validate.optionalIp("floating_ip_address", r.getFloatingIpAddress());
      UUID port = Validate.optionalId("port_id", r.getPortId());
      Ipv4 fixed = Validate.optionalIp("fixed_ip_address", r.getFixedIpAddress());
      return store.write(tx -> fips.create(tx, network, address, port, fixed).compose(id -> fips.require(tx, id)));
    });
  }

  @Override
  public Future<FloatingIp> getFloatingIp(GetFloatingIpRequest r) {
    return call("GetFloatingIp", () -> {
      UUID id = Validate.id("id", r.getId());
      return store.read(tx -> fips.require(tx, id));
    });
  }

  @Override
  public Future<ListFloatingIpsResponse> listFloatingIps(ListFloatingIpsRequest r) {
    return call("ListFloatingIps", () -> {
      int size = Validate.pageSize(r.getPageSize());
      UUID after = Validate.pageToken(r.getPageToken());
      UUID network = Validate.optionalId("floating_network_id", r.getFloatingNetworkId());
      UUID port = Validate.optionalId("port_id", r.getPortId());
      UUID router = Validate.optionalId("router_id", r.getRouterId());
      return store.read(tx -> fips.list(tx, r, network, port, router, size, after))
          .map(page -> ListFloatingIpsResponse.newBuilder().addAllFloatingIps(page.items())
              .setNextPageToken(page.nextToken()).build());
    });
  }

  @Override
  public Future<FloatingIp> associateFloatingIp(AssociateFloatingIpRequest r) {
    return call("AssociateFloatingIp", () -> {
      UUID id = Validate.id("id", r.getId());
      UUID port = Validate.id("port_id", r.getPortId());
      Ipv4 fixed = Validate.optionalIp("fixed_ip_address", r.getFixedIpAddress());
      return store.write(tx -> fips.associate(tx, id, port, fixed).compose(v -> fips.require(tx, id)));
    });
  }

  @Override
  public Future<FloatingIp> disassociateFloatingIp(DisassociateFloatingIpRequest r) {
    return call("DisassociateFloatingIp", () -> {
      UUID id = Validate.id("id", r.getId());
      return store.write(tx -> fips.disassociate(tx, id).compose(v -> fips.require(tx, id)));
    });
  }

  @Override
  public Future<DeleteFloatingIpResponse> deleteFloatingIp(DeleteFloatingIpRequest r) {
    return call("DeleteFloatingIp", () -> {
      UUID id = Validate.id("id", r.getId());
      return store.write(tx -> fips.delete(tx, id)).map(v -> DeleteFloatingIpResponse.getDefaultInstance());
    });
  }
}

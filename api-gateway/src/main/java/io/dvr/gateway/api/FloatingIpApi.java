package io.dvr.gateway.api;

import static io.dvr.gateway.api.Calls.call;

import io.dvr.gateway.api.Calls.Needs;
import io.dvr.gateway.auth.Authenticator;
import io.dvr.gateway.store.Ownership;
import io.dvr.gateway.store.Ownership.Kind;
import io.dvr.gateway.store.Scope;
import io.dvr.store.Tx;

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
  private final Authenticator auth;

  public FloatingIpApi(Authenticator auth, Store store, FloatingIpStore fips) {
    this.auth = auth;
    this.store = store;
    this.fips = fips;
  }

  @Override
  public Future<FloatingIp> createFloatingIp(CreateFloatingIpRequest r) {
    return call(auth, "CreateFloatingIp", Needs.WRITE, r, caller -> {
      String project = Calls.project(caller, r.getProjectId(), caller.projectId());
      UUID network = Validate.id("floating_network_id", r.getFloatingNetworkId());
      Ipv4 address = Validate.optionalIp("floating_ip_address", r.getFloatingIpAddress());
      UUID port = Validate.optionalId("port_id", r.getPortId());
      Ipv4 fixed = Validate.optionalIp("fixed_ip_address", r.getFixedIpAddress());
      // Any project's external network gives addresses; only the caller's own port takes one. Both
      // checks are sent at once, the create's first reads right behind them; the network's answer
      // comes first, so its error is the one told, and nothing is written unless both passed.
      return store.write(tx -> {
        Future<?> allowed = Future.all(Ownership.requireVisible(tx, Kind.NETWORK, network, caller.scope()),
            port == null ? Future.succeededFuture() : ownPort(tx, port, caller.scope()));
        return fips.create(tx, allowed, network, address, port, fixed, project);
      });
    });
  }

  @Override
  public Future<FloatingIp> getFloatingIp(GetFloatingIpRequest r) {
    return call(auth, "GetFloatingIp", Needs.READ, r, caller -> {
      UUID id = Validate.id("id", r.getId());
      return store.read(tx -> own(tx, id, caller.scope()).compose(v -> fips.require(tx, id)));
    });
  }

  @Override
  public Future<ListFloatingIpsResponse> listFloatingIps(ListFloatingIpsRequest r) {
    return call(auth, "ListFloatingIps", Needs.READ, r, caller -> {
      int size = Validate.pageSize(r.getPageSize());
      UUID after = Validate.pageToken(r.getPageToken());
      UUID network = Validate.optionalId("floating_network_id", r.getFloatingNetworkId());
      UUID port = Validate.optionalId("port_id", r.getPortId());
      UUID router = Validate.optionalId("router_id", r.getRouterId());
      return store.read(tx -> fips.list(tx, r, network, port, router, size, after, caller.scope()))
          .map(page -> ListFloatingIpsResponse.newBuilder().addAllFloatingIps(page.items())
              .setNextPageToken(page.nextToken()).build());
    });
  }

  @Override
  public Future<FloatingIp> associateFloatingIp(AssociateFloatingIpRequest r) {
    return call(auth, "AssociateFloatingIp", Needs.WRITE, r, caller -> {
      UUID id = Validate.id("id", r.getId());
      UUID port = Validate.id("port_id", r.getPortId());
      Ipv4 fixed = Validate.optionalIp("fixed_ip_address", r.getFixedIpAddress());
      // Both checks, the locks and the association's reads are sent at once; the checks answer first.
      return store.write(tx -> fips.associate(tx,
          Future.all(own(tx, id, caller.scope()), ownPort(tx, port, caller.scope())), id, port, fixed));
    });
  }

  @Override
  public Future<FloatingIp> disassociateFloatingIp(DisassociateFloatingIpRequest r) {
    return call(auth, "DisassociateFloatingIp", Needs.WRITE, r, caller -> {
      UUID id = Validate.id("id", r.getId());
      return store.write(tx -> fips.disassociate(tx, own(tx, id, caller.scope()), id));
    });
  }

  @Override
  public Future<DeleteFloatingIpResponse> deleteFloatingIp(DeleteFloatingIpRequest r) {
    return call(auth, "DeleteFloatingIp", Needs.WRITE, r, caller -> {
      UUID id = Validate.id("id", r.getId());
      return store.write(tx -> own(tx, id, caller.scope()).compose(v -> fips.delete(tx, id))).map(v -> DeleteFloatingIpResponse.getDefaultInstance());
    });
  }

  private static Future<String> own(Tx tx, UUID fip, Scope scope) {
    return Ownership.requireOwned(tx, Kind.FLOATING_IP, fip, scope);
  }

  private static Future<String> ownPort(Tx tx, UUID port, Scope scope) {
    return Ownership.requireOwned(tx, Kind.PORT, port, scope);
  }
}

package io.dvr.gateway.api;

import static io.dvr.gateway.api.Calls.call;

import io.dvr.gateway.api.Calls.Needs;
import io.dvr.gateway.auth.Authenticator;
import io.dvr.gateway.store.Ownership;
import io.dvr.gateway.store.Revisions;
import io.dvr.gateway.store.Ownership.Kind;

import io.dvr.common.grpc.ApiError;
import io.dvr.gateway.store.NewPort;
import io.dvr.gateway.store.PortStore;
import io.dvr.store.Store;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreatePortsRequest;
import io.dvr.proto.v1.CreatePortsResponse;
import io.dvr.proto.v1.DeletePortRequest;
import io.dvr.proto.v1.DeletePortResponse;
import io.dvr.proto.v1.GetPortRequest;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.ListPortsResponse;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceService;
import io.dvr.proto.v1.UpdatePortRequest;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** dvr.v1.PortService: VM ports bound to hosts, with fixed IPs from the subnets' pools. */
public final class PortApi extends PortServiceService {
  private final Store store;
  private final PortStore ports;
  private final Authenticator auth;
  private final PortCreates creates;
  /** The most ports one CreatePorts call may ask for. */
  static final int MAX_BULK = 1000;

  public PortApi(Authenticator auth, Store store, PortStore ports, PortCreates creates) {
    this.auth = auth;
    this.store = store;
    this.ports = ports;
    this.creates = creates;
  }

  @Override
  public Future<Port> createPort(CreatePortRequest r) {
    return call(auth, "CreatePort", Needs.WRITE, r, caller -> creates.create(PortDraft.of(r, caller)));
  }

  /** Neutron's bulk create: every port or none, in one transaction; errors name the port's index. */
  @Override
  public Future<CreatePortsResponse> createPorts(CreatePortsRequest r) {
    return call(auth, "CreatePorts", Needs.WRITE, r, caller -> {
      if (r.getPortsCount() == 0) {
        throw ApiError.invalid("ports", "[]", "give at least one port");
      }
      if (r.getPortsCount() > MAX_BULK) {
        throw ApiError.invalid("ports", r.getPortsCount() + " ports", "at most " + MAX_BULK + " per call");
      }
      List<PortDraft> drafts = new ArrayList<>();
      for (int i = 0; i < r.getPortsCount(); i++) {
        try {
          drafts.add(PortDraft.of(r.getPorts(i), caller));
        } catch (ApiError e) {
          throw PortDraft.ofPort(i, e);
        }
      }
      return store.write(tx -> NewPorts.resolve(tx, ports, drafts).compose(resolution -> {
        List<NewPorts.Resolved> resolved = resolution.ports();
        for (int i = 0; i < resolved.size(); i++) {
          if (resolved.get(i).error() != null) {
            throw PortDraft.ofPort(i, resolved.get(i).error());
          }
        }
        List<NewPort> made = resolved.stream().map(NewPorts.Resolved::port).toList();
        return ports.createAndShow(tx, made, resolution.subnets()).map(shown -> {
          for (int i = 0; i < shown.size(); i++) {
            if (shown.get(i).error() != null) {
              // Throwing rolls the transaction back: the ports made before it go too.
              throw PortDraft.ofPort(i, shown.get(i).error());
            }
          }
          return shown.stream().map(PortStore.Made::port).toList();
        });
      })).map(made -> CreatePortsResponse.newBuilder().addAllPorts(made).build());
    });
  }

  @Override
  public Future<Port> getPort(GetPortRequest r) {
    return call(auth, "GetPort", Needs.READ, r, caller -> {
      UUID id = Validate.id("id", r.getId());
      return store.read(tx -> Ownership.requireOwned(tx, Kind.PORT, id, caller.scope()).compose(v -> ports.require(tx, id)));
    });
  }

  @Override
  public Future<ListPortsResponse> listPorts(ListPortsRequest r) {
    return call(auth, "ListPorts", Needs.READ, r, caller -> {
      int size = Validate.pageSize(r.getPageSize());
      UUID after = Validate.pageToken(r.getPageToken());
      UUID network = Validate.optionalId("network_id", r.getNetworkId());
      UUID subnet = Validate.optionalId("subnet_id", r.getSubnetId());
      return store.read(tx -> ports.list(tx, r, subnet, network, size, after, caller.scope()))
          .map(page -> ListPortsResponse.newBuilder().addAllPorts(page.items())
              .setNextPageToken(page.nextToken()).build());
    });
  }

  @Override
  public Future<Port> updatePort(UpdatePortRequest r) {
    return call(auth, "UpdatePort", Needs.WRITE, r, caller -> {
      UUID id = Validate.id("id", r.getId());
      if (r.hasName()) {
        Validate.optionalName("name", r.getName());
      }
      if (r.hasBindingHost()) {
        Validate.host("binding_host", r.getBindingHost());
      }
      if (r.hasDeviceId()) {
        Validate.deviceId(r.getDeviceId());
      }
      Long ifRevision = r.hasIfRevision() ? r.getIfRevision() : null;
      return store.write(tx -> Ownership.requireOwned(tx, Kind.PORT, id, caller.scope())
          .compose(v -> Revisions.require(tx, Revisions.Table.PORT, id, ifRevision))
          .compose(v -> ports.update(tx, r, id)).compose(v -> ports.require(tx, id)));
    });
  }

  @Override
  public Future<DeletePortResponse> deletePort(DeletePortRequest r) {
    return call(auth, "DeletePort", Needs.WRITE, r, caller -> {
      UUID id = Validate.id("id", r.getId());
      return store.write(tx -> Ownership.requireOwned(tx, Kind.PORT, id, caller.scope())
          .compose(v -> ports.delete(tx, id))).map(v -> DeletePortResponse.getDefaultInstance());
    });
  }
}

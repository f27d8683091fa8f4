package io.dvr.gateway.api;

import static io.dvr.gateway.api.Calls.call;

import io.dvr.gateway.api.Calls.Needs;
import io.dvr.gateway.auth.Authenticator;
import io.dvr.gateway.auth.Caller;
import io.dvr.gateway.store.Ownership;
import io.dvr.gateway.store.Revisions;
import io.dvr.gateway.store.Ownership.Kind;

import io.dvr.common.grpc.ApiError;
import io.dvr.common.model.DeviceOwners;
import io.dvr.common.net.Ipv4;
import io.dvr.common.net.MacAddress;
import io.dvr.gateway.store.NewPort;
import io.dvr.gateway.store.PortStore;
import io.dvr.store.Store;
import io.dvr.gateway.store.SubnetInfo;
import io.dvr.store.Tx;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.DeletePortRequest;
import io.dvr.proto.v1.DeletePortResponse;
import io.dvr.proto.v1.FixedIpRequest;
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

  public PortApi(Authenticator auth, Store store, PortStore ports) {
    this.auth = auth;
    this.store = store;
    this.ports = ports;
  }

  @Override
  public Future<Port> createPort(CreatePortRequest r) {
    return call(auth, "CreatePort", Needs.WRITE, r, caller -> {
      UUID networkId = Validate.id("network_id", r.getNetworkId());
      String name = Validate.optionalName("name", r.getName());
      String owner = Validate.deviceOwner(r.getDeviceOwner());
      if (DeviceOwners.isSystemManaged(owner)) {
        throw ApiError.invalid("device_owner", owner,
            "is reserved for ports made by the router and floating IP operations");
      }
      String deviceId = Validate.deviceId(r.getDeviceId());
      String host = Validate.host("binding_host", r.getBindingHost());
      MacAddress mac = r.getMacAddress().isEmpty() ? null : Validate.portMac(r.getMacAddress());
      UUID id = Validate.newId(r.getId());
      List<Ipv4> ips = new ArrayList<>();
      List<UUID> subnetIds = new ArrayList<>();
      for (int i = 0; i < r.getFixedIpsCount(); i++) {
        FixedIpRequest f = r.getFixedIps(i);
        String field = "fixed_ips[" + i + "]";
        if (f.getSubnetId().isEmpty() && f.getIpAddress().isEmpty()) {
          throw ApiError.invalid(field, "", "give a subnet_id, an ip_address or both");
        }
        subnetIds.add(Validate.optionalId(field + ".subnet_id", f.getSubnetId()));
        Ipv4 ip = Validate.optionalIp(field + ".ip_address", f.getIpAddress());
        int twice = ip == null ? -1 : ips.indexOf(ip);
        if (twice >= 0) {
          throw ApiError.invalid(field + ".ip_address", ip, "is given twice in the request (also fixed_ips["
              + twice + "])");
        }
        ips.add(ip);
      }
      boolean up = !r.hasAdminStateUp() || r.getAdminStateUp();
      // A port is its network's project's unless an admin says otherwise.
      return store.write(tx -> Ownership.requireOwned(tx, Kind.NETWORK, networkId, caller.scope())
          .compose(networkProject -> addressRequests(tx, networkId, subnetIds, ips, caller)
              .compose(requests -> ports.create(tx, new NewPort(id, networkId, name, mac, owner, deviceId, host, up,
                  requests, Calls.project(caller, r.getProjectId(), networkProject)))))
          .compose(v -> ports.require(tx, id)));
    });
  }

  /** Resolves the requested addresses against the network's subnets. */
  private Future<List<NewPort.IpRequest>> addressRequests(Tx tx, UUID networkId, List<UUID> subnetIds, List<Ipv4> ips,
      Caller caller) {
    return ports.subnetsOf(tx, networkId)
        .compose(subnets -> {
          if (subnetIds.isEmpty()) {
            return Future.succeededFuture(subnets.isEmpty() ? List.of()
                : List.of(new NewPort.IpRequest(subnets.get(0).id(), null, "fixed_ips")));
          }
          List<NewPort.IpRequest> requests = new ArrayList<>();
          Future<Void> checks = Future.succeededFuture();
          for (int i = 0; i < subnetIds.size(); i++) {
            String field = "fixed_ips[" + i + "]";
            UUID subnetId = subnetIds.get(i);
            Ipv4 ip = ips.get(i);
            SubnetInfo subnet = subnetId != null
                ? subnets.stream().filter(s -> s.id().equals(subnetId)).findFirst().orElse(null)
                : SubnetInfo.holding(subnets, ip, field + ".ip_address", "network '" + networkId + "'");
            if (subnet == null) {
              // Another project's subnet is not found, as if it did not exist.
              checks = checks.compose(v -> Ownership.requireVisible(tx, Kind.SUBNET, subnetId, caller.scope())
                  .map(found -> {
                    throw ApiError.invalid(field + ".subnet_id", subnetId, "not a subnet of network '" + networkId + "'");
                  }));
              continue;
            }
            if (ip != null && !subnet.usable(ip)) {
              throw ApiError.invalid(field + ".ip_address", ip, subnet.refusal(ip));
            }
            if (ip != null && ip.equals(subnet.gateway())) {
              throw ApiError.invalid(field + ".ip_address", ip, "is the gateway_ip of subnet '" + subnet.id()
                  + "'; only a router interface takes it");
            }
            requests.add(new NewPort.IpRequest(subnet.id(), ip, field + ".ip_address"));
          }
          return checks.map(v -> requests);
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

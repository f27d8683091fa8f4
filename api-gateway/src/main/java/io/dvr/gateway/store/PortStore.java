package io.dvr.gateway.store;

import io.dvr.store.Page;
import io.dvr.store.Tx;
import io.dvr.common.grpc.ApiError;
import io.dvr.common.model.DeviceOwners;
import io.dvr.common.net.MacAddress;
import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.ResourceType;
import io.dvr.proto.v1.UpdatePortRequest;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/** Ports and their fixed IPs. */
public final class PortStore {
  static final String PORT_MAC_BASE = "fa:16:3e";
  private static final int MAC_TRIES = 16;
  /** Ports with such an owner are made by the router and floating IP operations (Neutron's network:*). */
  private static final String SYSTEM_OWNER_PREFIX = "network:";
  private static final RandomGenerator RANDOM = new SecureRandom();
  private final QuotaStore quotas;

  public PortStore(QuotaStore quotas) {
    this.quotas = quotas;
  }

  public Future<Optional<Port>> get(Tx tx, UUID id) {
    return tx.one("SELECT " + Mapping.PORT_COLUMNS + " FROM ports p WHERE p.id = $1", id)
        .map(r -> r.map(Mapping::port));
  }

  /** The subnets of a network, oldest first. */
  public Future<List<SubnetInfo>> subnetsOf(Tx tx, UUID networkId) {
    return tx.all("SELECT " + SubnetInfo.COLUMNS + " WHERE s.network_id = $1 ORDER BY s.created_at, s.id", networkId)
        .map(rows -> rows.stream().map(SubnetInfo::of).toList());
  }

  public Future<Port> require(Tx tx, UUID id) {
    return get(tx, id).map(p -> p.orElseThrow(() -> ApiError.notFound("port", id.toString())));
  }

  public Future<Page<Port>> list(Tx tx, ListPortsRequest q, UUID subnetId, UUID networkId, int size, UUID after,
      Scope scope) {
    return tx.all("SELECT " + Mapping.PORT_COLUMNS + " FROM ports p WHERE ($1::uuid IS NULL OR p.network_id = $1)"
            + " AND ($2 = '' OR p.device_owner = $2) AND ($3 = '' OR p.device_id = $3)"
            + " AND ($4 = '' OR p.binding_host = $4) AND ($5 = '' OR p.name = $5)"
            + " AND ($6::uuid IS NULL OR EXISTS (SELECT 1 FROM ip_allocations a WHERE a.port_id = p.id AND a.subnet_id = $6))"
            + " AND ($7::uuid IS NULL OR p.id > $7) AND " + Ownership.inScope("p", 9) + " ORDER BY p.id LIMIT $8",
            networkId, q.getDeviceOwner(), q.getDeviceId(), q.getBindingHost(), q.getName(), subnetId, after, size + 1,
            scope.filter())
        .map(rows -> Page.of(rows, size, Mapping::port, Port::getId));
  }

  /**
   * Creates a port: locks the subnets it takes addresses from, inserts it with a unique MAC
   * (up to 16 random tries), allocates its addresses and records the event.
   */
  public Future<UUID> create(Tx tx, NewPort port) {
    List<UUID> subnetIds = port.ips().stream().map(NewPort.IpRequest::subnetId).toList();
    return Ipam.lockSubnets(tx, subnetIds)
        .compose(subnets -> insertWithMac(tx, port, 0).map(v -> subnets))
        .compose(subnets -> {
          Map<UUID, SubnetInfo> byId = subnets.stream().collect(Collectors.toMap(SubnetInfo::id, s -> s));
          // Only a router interface port takes a subnet's gateway_ip.
          boolean routerInterface = DeviceOwners.ROUTER_INTERFACE.equals(port.deviceOwner())
              || DeviceOwners.ROUTER_INTERFACE_DISTRIBUTED.equals(port.deviceOwner());
          Future<Void> chain = Future.succeededFuture();
          for (NewPort.IpRequest req : port.ips()) {
            SubnetInfo subnet = byId.get(req.subnetId());
            chain = chain.compose(v -> (req.ip() == null
                ? Ipam.allocateNext(tx, subnet, port.id())
                : Ipam.allocateExact(tx, subnet, req.ip(), port.id(), req.field(), routerInterface)).mapEmpty());
          }
          return chain;
        })
        .compose(v -> port.userPort() ? quotas.enforce(tx, port.project(), "port") : Future.<Void>succeededFuture())
        .compose(v -> Routers.onSubnets(tx, subnetIds))
        .map(routers -> {
          tx.changed(ResourceType.RESOURCE_TYPE_PORT, port.id(), 1, ChangeKind.CHANGE_KIND_CREATED,
              port.networkId(), routers, List.of(port.bindingHost()));
          return port.id();
        });
  }

  private Future<Void> insertWithMac(Tx tx, NewPort port, int attempt) {
    MacAddress mac = port.mac() != null ? port.mac() : MacAddress.random(PORT_MAC_BASE, RANDOM);
    return tx.one("INSERT INTO ports(id, network_id, name, mac_address, device_owner, device_id, binding_host,"
                + " admin_state_up, project_id) VALUES ($1, $2, $3, $4::text::macaddr, $5, $6, $7, $8, $9)"
                + " ON CONFLICT DO NOTHING RETURNING id",
            port.id(), port.networkId(), port.name(), mac.text(), port.deviceOwner(), port.deviceId(),
            port.bindingHost(), port.adminStateUp(), port.project())
        .compose(inserted -> {
          if (inserted.isPresent()) {
            return Future.succeededFuture();
          }
          // Nothing inserted: either the id or the MAC is taken (the only unique keys of ports).
          return tx.one("SELECT 1 FROM ports WHERE id = $1", port.id()).compose(sameId -> sameId.isPresent()
              ? Future.failedFuture(Resources.idTaken("port", port.id()))
              : macTaken(tx, port, mac, attempt));
        });
  }

  /** The MAC was taken: a user's MAC is ALREADY_EXISTS, a random one is drawn again. */
  private Future<Void> macTaken(Tx tx, NewPort port, MacAddress mac, int attempt) {
    if (port.mac() != null) {
      return tx.one("SELECT id FROM ports WHERE mac_address = $1::text::macaddr", mac.text())
          .compose(holder -> Future.failedFuture(ApiError.alreadyExists("mac_address '" + mac
              + "' is already in use by port '" + holder.map(r -> r.getUUID("id").toString()).orElse("?") + "'")));
    }
    if (attempt + 1 >= MAC_TRIES) {
      return Future.failedFuture(ApiError.exhausted(
          "no unique MAC address found under " + PORT_MAC_BASE + " after " + MAC_TRIES + " tries"));
    }
    return insertWithMac(tx, port, attempt + 1);
  }

  /**
   * Updates name, binding host (a move), admin state or device id of a port. An update that changes
   * nothing writes nothing: the revision and updated_at stay. The name, device id and binding host
   * of a port the system made (device_owner network:*) are the system's.
   */
  public Future<Void> update(Tx tx, UpdatePortRequest req, UUID id) {
    return tx.one("SELECT device_owner, binding_host, network_id, name, device_id FROM ports WHERE id = $1 FOR UPDATE", id)
        .compose(row -> {
          Row r = row.orElseThrow(() -> ApiError.notFound("port", id.toString()));
          String owner = r.getString("device_owner");
          String oldHost = r.getString("binding_host");
          if (owner.startsWith(SYSTEM_OWNER_PREFIX)) {
            refuseSystemChange(id, owner, "name", req.hasName() ? req.getName() : null, r.getString("name"));
            refuseSystemChange(id, owner, "device_id", req.hasDeviceId() ? req.getDeviceId() : null,
                r.getString("device_id"));
            refuseSystemChange(id, owner, "binding_host", req.hasBindingHost() ? req.getBindingHost() : null, oldHost);
          }
          // A port bound to another host is DOWN until that host's agent has wired it.
          return tx.one("UPDATE ports SET name = coalesce($2, name), binding_host = coalesce($3, binding_host),"
                  + " admin_state_up = coalesce($4, admin_state_up), device_id = coalesce($5, device_id),"
                  + " status = CASE WHEN $3 IS NOT NULL AND $3 <> binding_host THEN 'DOWN' ELSE status END,"
                  + " revision = revision + 1, updated_at = now() WHERE id = $1"
                  + " AND (name, binding_host, admin_state_up, device_id) IS DISTINCT FROM"
                  + " (coalesce($2, name), coalesce($3, binding_host), coalesce($4, admin_state_up), coalesce($5, device_id))"
                  + " RETURNING revision",
                  id, req.hasName() ? req.getName() : null, req.hasBindingHost() ? req.getBindingHost() : null,
                  req.hasAdminStateUp() ? req.getAdminStateUp() : null, req.hasDeviceId() ? req.getDeviceId() : null)
              .compose(updated -> updated.isEmpty() ? Future.<Void>succeededFuture()
                  : Routers.ofPort(tx, id).map(routers -> {
                    List<String> hosts = new ArrayList<>(List.of(oldHost));
                    if (req.hasBindingHost()) {
                      hosts.add(req.getBindingHost());
                    }
                    tx.changed(ResourceType.RESOURCE_TYPE_PORT, id, updated.get().getLong("revision"),
                        ChangeKind.CHANGE_KIND_UPDATED, r.getUUID("network_id"), routers, hosts);
                    return null;
                  }));
        });
  }

  private static void refuseSystemChange(UUID id, String owner, String field, String wanted, String current) {
    if (wanted != null && !wanted.equals(current)) {
      throw ApiError.failedPrecondition("port '" + id + "' is owned by " + owner + "; its " + field
          + " is managed by the system and cannot be changed to '" + wanted + "'");
    }
  }

  /**
   * Records which of the host's VM ports its agent has wired: those ACTIVE, the host's other VM
   * ports DOWN. Only changed ports are written (with an event each); returns how many.
   */
  public Future<Integer> setWired(Tx tx, String host, List<UUID> wired) {
    return tx.all("UPDATE ports SET status = CASE WHEN id = ANY($2) THEN 'ACTIVE' ELSE 'DOWN' END,"
            + " revision = revision + 1, updated_at = now()"
            + " WHERE binding_host = $1 AND device_owner LIKE 'compute:%'"
            + " AND status <> CASE WHEN id = ANY($2) THEN 'ACTIVE' ELSE 'DOWN' END"
            + " RETURNING id, revision, network_id", host, wired.toArray(UUID[]::new))
        .map(rows -> {
          rows.forEach(r -> tx.changed(ResourceType.RESOURCE_TYPE_PORT, r.getUUID("id"), r.getLong("revision"),
              ChangeKind.CHANGE_KIND_UPDATED, r.getUUID("network_id"), List.of(), List.of()));
          return rows.size();
        });
  }

  /** Deletes a user port; its floating IPs are disassociated first (as Neutron does). */
  public Future<Void> delete(Tx tx, UUID id) {
    return tx.one("SELECT device_owner FROM ports WHERE id = $1 FOR UPDATE", id).compose(row -> {
      String owner = row.orElseThrow(() -> ApiError.notFound("port", id.toString())).getString("device_owner");
      if (DeviceOwners.isSystemManaged(owner)) {
        throw ApiError.failedPrecondition("port '" + id + "' is owned by " + owner
            + " and cannot be deleted directly; use the router or floating IP operations");
      }
      return FloatingIpStore.disassociateFromPort(tx, id).compose(v -> deleteAny(tx, id));
    });
  }

  /**
   * Makes a user's unused port a router interface: the router owns it from now on (a binding to a
   * host goes, the router's hosts plug it). The caller checked it has no device_owner.
   */
  Future<Void> becomeRouterInterface(Tx tx, UUID id, String owner, UUID routerId) {
    return tx.one("UPDATE ports p SET device_owner = $2, device_id = $3, binding_host = '',"
            + " revision = p.revision + 1, updated_at = now() FROM ports old WHERE p.id = $1 AND old.id = p.id"
            + " RETURNING p.revision, p.network_id, old.binding_host", id, owner, routerId.toString())
        .map(row -> {
          Row r = row.orElseThrow(() -> ApiError.notFound("port", id.toString()));
          tx.changed(ResourceType.RESOURCE_TYPE_PORT, id, r.getLong("revision"), ChangeKind.CHANGE_KIND_UPDATED,
              r.getUUID("network_id"), List.of(routerId), List.of(r.getString("binding_host")));
          return null;
        });
  }

  /** Deletes a port of any owner with its addresses and records the event. */
  Future<Void> deleteAny(Tx tx, UUID id) {
    return Routers.ofPort(tx, id).compose(routers -> tx.one(
            "DELETE FROM ports WHERE id = $1 RETURNING network_id, binding_host, revision", id)
        .map(row -> {
          row.ifPresent(r -> tx.changed(ResourceType.RESOURCE_TYPE_PORT, id, r.getLong("revision") + 1,
              ChangeKind.CHANGE_KIND_DELETED, r.getUUID("network_id"), routers, List.of(r.getString("binding_host"))));
          return null;
        }));
  }
}

package io.dvr.gateway.store;

import io.dvr.store.Page;
import io.dvr.store.Tx;
import io.dvr.common.grpc.ApiError;
import io.dvr.common.model.DeviceOwners;
import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.ResourceType;
import io.dvr.proto.v1.UpdatePortRequest;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Ports and their fixed IPs. */
public final class PortStore {
  /** Ports with such an owner are made by the router and floating IP operations (Neutron's network:*). */
  private static final String SYSTEM_OWNER_PREFIX = "network:";
  private final QuotaStore quotas;
  /** This instance's view of the subnets' free addresses. */
  private final AddressAllocator addresses = new AddressAllocator();

  public PortStore(QuotaStore quotas) {
    this.quotas = quotas;
  }

  public Future<Optional<Port>> get(Tx tx, UUID id) {
    return tx.one("SELECT " + Mapping.PORT_COLUMNS + " FROM ports p WHERE p.id = $1", id)
        .map(r -> r.map(Mapping::port));
  }

  /** The subnets of these networks, each network's oldest first. */
  public Future<Map<UUID, List<SubnetInfo>>> subnetsOf(Tx tx, UUID[] networkIds) {
    return tx.all("SELECT " + SubnetInfo.COLUMNS + " WHERE s.network_id = ANY($1) ORDER BY s.created_at, s.id",
            (Object) networkIds)
        .map(rows -> {
          Map<UUID, List<SubnetInfo>> byNetwork = new java.util.HashMap<>();
          rows.stream().map(SubnetInfo::of)
              .forEach(s -> byNetwork.computeIfAbsent(s.networkId(), n -> new ArrayList<>()).add(s));
          return byNetwork;
        });
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

  /** Creates a port (see {@link PortBatch}); fails with the reason it was refused. */
  public Future<UUID> create(Tx tx, NewPort port) {
    return create(tx, port, Map.of());
  }

  /** As {@link #create(Tx, NewPort)}, with subnets already read in this transaction (not read again). */
  public Future<UUID> create(Tx tx, NewPort port, Map<UUID, SubnetInfo> knownSubnets) {
    return PortBatch.run(tx, addresses, quotas, List.of(port), knownSubnets).compose(batch -> batch.error(0) != null
        ? Future.failedFuture(batch.error(0)) : Future.succeededFuture(port.id()));
  }

  /**
   * Creates ports in this transaction, each failing alone; per port, in order, null if it was made,
   * else the error that refused it (nothing of it is left).
   */
  public Future<List<ApiError>> createAll(Tx tx, List<NewPort> newPorts) {
    return PortBatch.create(tx, addresses, quotas, newPorts);
  }

  /** Per port of a {@link #createAndShow}, in order: the port made, or the error that refused it. */
  public record Made(Port port, ApiError error) {}

  /**
   * Creates ports as {@link #createAll} does and gives each port made as a read in this
   * transaction would show it: from what the insert returned and the addresses taken, without a
   * read-back (only a router's SNAT and gateway ports are read back, for their SNAT binding).
   */
  public Future<List<Made>> createAndShow(Tx tx, List<NewPort> newPorts) {
    return createAndShow(tx, newPorts, Map.of());
  }

  /** As {@link #createAndShow(Tx, List)}, with subnets already read in this transaction (not read again). */
  public Future<List<Made>> createAndShow(Tx tx, List<NewPort> newPorts, Map<UUID, SubnetInfo> knownSubnets) {
    return PortBatch.run(tx, addresses, quotas, newPorts, knownSubnets).compose(batch -> {
      Port[] shown = new Port[newPorts.size()];
      List<UUID> readBack = new ArrayList<>();
      for (int i = 0; i < shown.length; i++) {
        shown[i] = batch.shown(i);
        if (batch.error(i) == null && shown[i] == null) {
          readBack.add(newPorts.get(i).id());
        }
      }
      return getAll(tx, readBack).map(read -> {
        Map<String, Port> byId = new java.util.HashMap<>();
        read.forEach(p -> byId.put(p.getId(), p));
        List<Made> made = new ArrayList<>();
        for (int i = 0; i < shown.length; i++) {
          Port port = batch.error(i) != null || shown[i] != null ? shown[i] : byId.get(newPorts.get(i).id().toString());
          made.add(new Made(port, batch.error(i)));
        }
        return made;
      });
    });
  }

  /** The ports with these ids, in this order (an id not found is left out). */
  public Future<List<Port>> getAll(Tx tx, List<UUID> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return tx.all("SELECT " + Mapping.PORT_COLUMNS + " FROM ports p WHERE p.id = ANY($1)", (Object) ids.toArray(UUID[]::new))
        .map(rows -> {
          Map<String, Port> byId = new java.util.HashMap<>();
          rows.forEach(r -> {
            Port p = Mapping.port(r);
            byId.put(p.getId(), p);
          });
          return ids.stream().map(id -> byId.get(id.toString())).filter(java.util.Objects::nonNull).toList();
        });
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
                  : PortEventFacts.read(tx, id).map(read -> {
                    List<String> hosts = new ArrayList<>(List.of(oldHost));
                    if (req.hasBindingHost()) {
                      hosts.add(req.getBindingHost());
                    }
                    PortEventFacts.Read port = read.orElseThrow(() -> ApiError.notFound("port", id.toString()));
                    tx.changed(ResourceType.RESOURCE_TYPE_PORT, id, updated.get().getLong("revision"),
                        ChangeKind.CHANGE_KIND_UPDATED, r.getUUID("network_id"), port.routers(), hosts, port.facts());
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
              ChangeKind.CHANGE_KIND_DELETED, r.getUUID("network_id"), routers, List.of(r.getString("binding_host")),
              PortEventFacts.DELETED));
          return null;
        }));
  }
}

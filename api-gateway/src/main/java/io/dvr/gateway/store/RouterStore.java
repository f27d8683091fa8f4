package io.dvr.gateway.store;

import io.dvr.store.Page;
import io.dvr.store.Tx;
import io.dvr.common.grpc.ApiError;
import io.dvr.common.model.DeviceOwners;
import io.dvr.common.net.Ipv4;
import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.ResourceType;
import io.dvr.proto.v1.Router;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Routers, their interfaces (a subnet attached through a port holding its gateway IP) and
 * their external gateway (a gateway port on the external network plus one SNAT port per
 * attached subnet, as Neutron DVR makes them). Every change locks the router row first.
 */
public final class RouterStore {
  private final PortStore ports;
  private final QuotaStore quotas;

  public RouterStore(PortStore ports, QuotaStore quotas) {
    this.ports = ports;
    this.quotas = quotas;
  }

  public Future<UUID> create(Tx tx, UUID id, String name, boolean distributed, boolean adminUp, String project) {
    return create(tx, id, name, distributed, false, adminUp, project);
  }

  /** A router; {@code ha}: its SNAT highly available (checked by the caller: distributed, admin). */
  public Future<UUID> create(Tx tx, UUID id, String name, boolean distributed, boolean ha, boolean adminUp,
      String project) {
    return tx.one("INSERT INTO routers(id, name, distributed, ha, admin_state_up, project_id) VALUES ($1, $2, $3, $4, $5, $6)"
        + " ON CONFLICT (id) DO NOTHING RETURNING id", id, name, distributed, ha, adminUp, project)
        .map(inserted -> inserted.orElseThrow(() -> Resources.idTaken("router", id)))
        .compose(v -> quotas.enforce(tx, project, "router"))
        .map(v -> {
          tx.changed(ResourceType.RESOURCE_TYPE_ROUTER, id, 1, ChangeKind.CHANGE_KIND_CREATED);
          return id;
        });
  }

  public Future<Optional<Router>> get(Tx tx, UUID id) {
    return tx.one("SELECT " + Mapping.ROUTER_COLUMNS + " FROM routers r WHERE r.id = $1", id)
        .map(r -> r.map(Mapping::router));
  }

  public Future<Router> require(Tx tx, UUID id) {
    return get(tx, id).map(r -> r.orElseThrow(() -> ApiError.notFound("router", id.toString())));
  }

  public Future<Page<Router>> list(Tx tx, String name, int size, UUID after, Scope scope) {
    return tx.all("SELECT " + Mapping.ROUTER_COLUMNS + " FROM routers r WHERE ($1 = '' OR r.name = $1)"
            + " AND ($2::uuid IS NULL OR r.id > $2) AND " + Ownership.inScope("r", 4) + " ORDER BY r.id LIMIT $3",
            name, after, size + 1, scope.filter())
        .map(rows -> Page.of(rows, size, Mapping::router, Router::getId));
  }

  public Future<Void> update(Tx tx, UUID id, String name, Boolean adminUp) {
    return lock(tx, id).compose(r -> {
      boolean same = (name == null || name.equals(r.getString("name")))
          && (adminUp == null || adminUp.equals(r.getBoolean("admin_state_up")));
      // An update that changes nothing writes nothing: the revision and updated_at stay.
      return same ? Future.succeededFuture()
          : bump(tx, id, "name = coalesce($2, name), admin_state_up = coalesce($3, admin_state_up)", name, adminUp);
    });
  }

  /** Deletes a router without interfaces or floating IPs; its gateway goes with it. */
  public Future<Void> delete(Tx tx, UUID id) {
    return lock(tx, id)
        .compose(r -> tx.one("SELECT count(*) AS n FROM router_interfaces WHERE router_id = $1", id).compose(n -> {
          if (n.get().getLong("n") > 0) {
            throw ApiError.failedPrecondition("router '" + id + "' is in use: it still has "
                + n.get().getLong("n") + " interface(s); remove them first");
          }
          return refuseIfFloatingIps(tx, id, "deleted");
        }).map(v -> r))
        .compose(r -> dropGateway(tx, r).map(r))
        .compose(r -> tx.query("DELETE FROM routers WHERE id = $1", id).map(v -> {
          tx.changed(ResourceType.RESOURCE_TYPE_ROUTER, id, r.getLong("revision") + 1, ChangeKind.CHANGE_KIND_DELETED);
          return null;
        }));
  }

  /** Attaches a subnet: a port takes its gateway IP; with a gateway set, a SNAT port joins it. */
  public Future<Void> addInterface(Tx tx, UUID routerId, UUID subnetId) {
    return lock(tx, routerId).compose(router -> Ipam.lockSubnets(tx, List.of(subnetId)).compose(found -> {
      SubnetInfo subnet = found.stream().findFirst()
          .orElseThrow(() -> ApiError.notFound("subnet", subnetId.toString()));
      refuseExternal(subnet, "subnet_id", subnetId);
      if (subnet.gateway() == null) {
        throw ApiError.failedPrecondition("subnet '" + subnetId + "' has no gateway_ip; a router interface takes it");
      }
      return refuseAttached(tx, routerId, subnet, false)
          .compose(v -> Ipam.holder(tx, subnetId, subnet.gateway()))
          .compose(holder -> {
            if (holder.isPresent()) {
              throw ApiError.alreadyExists("gateway_ip " + subnet.gateway() + " of subnet '" + subnetId
                  + "' is already in use by port '" + holder.get() + "'");
            }
            return ports.create(tx, NewPort.system(subnet.networkId(), interfaceOwner(router), routerId,
                List.of(new NewPort.IpRequest(subnetId, subnet.gateway(), "gateway_ip")), router.getString("project_id")));
          })
          .compose(portId -> attach(tx, router, subnet, portId));
    }));
  }

  /**
   * Attaches the subnet of an existing port, as Neutron's add_router_interface by port_id: the port
   * (no device_owner yet, one fixed IP on an internal subnet) becomes the router's interface and its
   * fixed IP, not the subnet's gateway_ip, is the router's address there. Returns the subnet.
   */
  public Future<UUID> addInterfaceByPort(Tx tx, UUID routerId, UUID portId) {
    return lock(tx, routerId).compose(router -> tx.one(
            "SELECT device_owner, device_id FROM ports WHERE id = $1 FOR UPDATE", portId).compose(row -> {
      Row port = row.orElseThrow(() -> ApiError.notFound("port", portId.toString()));
      if (!port.getString("device_owner").isEmpty()) {
        throw ApiError.alreadyExists("port_id '" + portId + "' is already in use: its device_owner is '"
            + port.getString("device_owner") + "' (device_id '" + port.getString("device_id") + "')");
      }
      return tx.all("SELECT subnet_id, host(ip_address) AS ip FROM ip_allocations WHERE port_id = $1", portId);
    }).compose(ips -> {
      if (ips.size() != 1) {
        throw ApiError.invalid("port_id", portId, "the port has " + ips.size()
            + " fixed IPs; a router interface port must have exactly one");
      }
      UUID subnetId = ips.iterator().next().getUUID("subnet_id");
      return Ipam.lockSubnets(tx, List.of(subnetId)).compose(found -> {
        SubnetInfo subnet = found.stream().findFirst()
            .orElseThrow(() -> ApiError.notFound("subnet", subnetId.toString()));
        refuseExternal(subnet, "port_id", portId);
        return refuseAttached(tx, routerId, subnet, true)
            .compose(v -> ports.becomeRouterInterface(tx, portId, interfaceOwner(router), routerId))
            .compose(v -> attach(tx, router, subnet, portId))
            .map(subnetId);
      });
    }));
  }

  private static String interfaceOwner(Row router) {
    return router.getBoolean("distributed") ? DeviceOwners.ROUTER_INTERFACE_DISTRIBUTED : DeviceOwners.ROUTER_INTERFACE;
  }

  private static void refuseExternal(SubnetInfo subnet, String field, UUID value) {
    if (subnet.external()) {
      throw ApiError.invalid(field, value, "subnet '" + subnet.id()
          + "' is on an external network; use SetRouterGateway");
    }
  }

  /**
   * Refuses a subnet already attached to a router, or overlapping one on this router. Already on
   * this router is INVALID_ARGUMENT when asked by port (Neutron's 400), ALREADY_EXISTS otherwise.
   */
  private static Future<Void> refuseAttached(Tx tx, UUID routerId, SubnetInfo subnet, boolean byPort) {
    UUID subnetId = subnet.id();
    return tx.one("SELECT router_id FROM router_interfaces WHERE subnet_id = $1", subnetId)
        .compose(attached -> {
          if (attached.isPresent()) {
            UUID other = attached.get().getUUID("router_id");
            if (byPort && other.equals(routerId)) {
              throw ApiError.invalid("router '" + routerId + "' already has an interface on subnet '" + subnetId + "'");
            }
            throw ApiError.alreadyExists("subnet '" + subnetId + "' is already attached to "
                + (other.equals(routerId) ? "this router" : "router '" + other + "'"));
          }
          return tx.one("SELECT s.id, s.cidr::text AS cidr FROM router_interfaces ri JOIN subnets s ON s.id = ri.subnet_id"
              + " WHERE ri.router_id = $1 AND s.cidr && $2::text::cidr", routerId, subnet.cidr().toString());
        })
        .map(overlap -> {
          if (overlap.isPresent()) {
            throw ApiError.invalid("subnet_id", subnetId, "its cidr " + subnet.cidr() + " overlaps subnet '"
                + overlap.get().getUUID("id") + "' (" + overlap.get().getString("cidr") + ") already on router '"
                + routerId + "'");
          }
          return null;
        });
  }

  /** Records the interface port on the subnet; with a gateway set, a SNAT port joins it. */
  private Future<Void> attach(Tx tx, Row router, SubnetInfo subnet, UUID portId) {
    UUID routerId = router.getUUID("id");
    return tx.query("INSERT INTO router_interfaces(router_id, subnet_id, port_id) VALUES ($1, $2, $3)",
            routerId, subnet.id(), portId)
        .compose(v -> router.getUUID("gw_network_id") == null ? Future.succeededFuture()
            : addSnatPort(tx, router, subnet))
        .compose(v -> bump(tx, routerId, null, null, null));
  }

  /** The subnet of the router's interface on this port. */
  public Future<UUID> subnetOfInterfacePort(Tx tx, UUID routerId, UUID portId) {
    return tx.one("SELECT subnet_id FROM router_interfaces WHERE router_id = $1 AND port_id = $2", routerId, portId)
        .map(row -> row.orElseThrow(() -> ApiError.notFound("router interface",
            "port " + portId + " on router " + routerId)).getUUID("subnet_id"));
  }

  /** Detaches a subnet, removing its interface and SNAT ports; refused while a floating IP uses it. */
  public Future<Void> removeInterface(Tx tx, UUID routerId, UUID subnetId) {
    return lock(tx, routerId)
        .compose(r -> tx.one("SELECT port_id, snat_port_id FROM router_interfaces WHERE router_id = $1 AND subnet_id = $2",
            routerId, subnetId))
        .compose(row -> {
          Row ri = row.orElseThrow(() -> ApiError.notFound("router interface",
              "subnet " + subnetId + " on router " + routerId));
          return tx.one("SELECT f.id FROM floating_ips f JOIN ip_allocations a ON a.port_id = f.port_id"
                  + " AND a.ip_address = f.fixed_ip_address WHERE f.router_id = $1 AND a.subnet_id = $2 LIMIT 1",
                  routerId, subnetId)
              .compose(fip -> {
                if (fip.isPresent()) {
                  throw ApiError.failedPrecondition("router interface on subnet '" + subnetId
                      + "' is in use by floating IP '" + fip.get().getUUID("id") + "'; disassociate it first");
                }
                return tx.query("DELETE FROM router_interfaces WHERE router_id = $1 AND subnet_id = $2", routerId, subnetId);
              })
              .compose(v -> ports.deleteAny(tx, ri.getUUID("port_id")))
              .compose(v -> ri.getUUID("snat_port_id") == null ? Future.succeededFuture()
                  : ports.deleteAny(tx, ri.getUUID("snat_port_id")));
        })
        .compose(v -> bump(tx, routerId, null, null, null));
  }

  /** Sets the external gateway: a gateway port on the external network and a SNAT port per subnet. */
  public Future<Void> setGateway(Tx tx, UUID routerId, UUID networkId, Ipv4 requestedIp) {
    return lock(tx, routerId).compose(router -> tx.one(
            "SELECT router_external, name FROM networks WHERE id = $1", networkId).compose(net -> {
      Row n = net.orElseThrow(() -> ApiError.notFound("network", networkId.toString()));
      if (!n.getBoolean("router_external")) {
        throw ApiError.invalid("network_id", networkId, "network '" + n.getString("name")
            + "' is not an external network (router:external)");
      }
      UUID current = router.getUUID("gw_network_id");
      if (networkId.equals(current) && requestedIp == null) {
        return Future.succeededFuture();
      }
      Future<Void> cleared = current == null ? Future.succeededFuture()
          : refuseIfFloatingIps(tx, routerId, "moved to another gateway").compose(v -> dropGateway(tx, router));
      return cleared
          .compose(v -> externalAddress(tx, networkId, requestedIp))
          .compose(ip -> ports.create(tx, NewPort.system(networkId, DeviceOwners.ROUTER_GATEWAY, routerId, List.of(ip),
              router.getString("project_id"))))
          .compose(portId -> tx.query("UPDATE routers SET gw_network_id = $2, gw_port_id = $3 WHERE id = $1",
              routerId, networkId, portId))
          .compose(v -> tx.all("SELECT " + SubnetInfo.COLUMNS + " JOIN router_interfaces ri ON ri.subnet_id = s.id"
              + " WHERE ri.router_id = $1 ORDER BY s.id", routerId))
          .compose(rows -> {
            Future<Void> chain = Future.succeededFuture();
            for (Row row : rows) {
              SubnetInfo subnet = SubnetInfo.of(row);
              chain = chain.compose(x -> addSnatPort(tx, router, subnet));
            }
            return chain;
          })
          .compose(v -> bump(tx, routerId, null, null, null));
    }));
  }

  /** Clears the external gateway; refused while floating IPs go through this router. */
  public Future<Void> clearGateway(Tx tx, UUID routerId) {
    return lock(tx, routerId).compose(router -> {
      if (router.getUUID("gw_network_id") == null) {
        return Future.succeededFuture();
      }
      return refuseIfFloatingIps(tx, routerId, "left without its gateway")
          .compose(v -> dropGateway(tx, router))
          .compose(v -> bump(tx, routerId, null, null, null));
    });
  }

  /** The address request for a gateway port: an exact address inside an external subnet, or the next free one. */
  private Future<NewPort.IpRequest> externalAddress(Tx tx, UUID networkId, Ipv4 requested) {
    return tx.all("SELECT " + SubnetInfo.COLUMNS + " WHERE s.network_id = $1 ORDER BY s.created_at, s.id", networkId)
        .map(rows -> {
          List<SubnetInfo> subnets = rows.stream().map(SubnetInfo::of).toList();
          if (subnets.isEmpty()) {
            throw ApiError.failedPrecondition("external network '" + networkId + "' has no subnet to take an address from");
          }
          if (requested == null) {
            return new NewPort.IpRequest(subnets.get(0).id(), null, "ip_address");
          }
          SubnetInfo subnet = SubnetInfo.holding(subnets, requested, "ip_address",
              "external network '" + networkId + "'");
          return new NewPort.IpRequest(subnet.id(), requested, "ip_address");
        });
  }

  private Future<Void> addSnatPort(Tx tx, Row router, SubnetInfo subnet) {
    UUID routerId = router.getUUID("id");
    return ports.create(tx, NewPort.system(subnet.networkId(), DeviceOwners.ROUTER_SNAT, routerId,
            List.of(new NewPort.IpRequest(subnet.id(), null, "snat")), router.getString("project_id")))
        .compose(portId -> tx.query("UPDATE router_interfaces SET snat_port_id = $3 WHERE router_id = $1 AND subnet_id = $2",
            routerId, subnet.id(), portId))
        .mapEmpty();
  }

  /** Removes the gateway port and every SNAT port of the router. */
  private Future<Void> dropGateway(Tx tx, Row router) {
    UUID routerId = router.getUUID("id");
    UUID gwPort = router.getUUID("gw_port_id");
    if (gwPort == null) {
      return Future.succeededFuture();
    }
    return tx.all("SELECT snat_port_id FROM router_interfaces WHERE router_id = $1 AND snat_port_id IS NOT NULL", routerId)
        .compose(snat -> tx.query("UPDATE router_interfaces SET snat_port_id = NULL WHERE router_id = $1", routerId)
            .map(snat))
        .compose(snat -> {
          Future<Void> chain = tx.query("UPDATE routers SET gw_network_id = NULL, gw_port_id = NULL WHERE id = $1", routerId)
              .mapEmpty();
          for (Row s : snat) {
            chain = chain.compose(v -> ports.deleteAny(tx, s.getUUID(0)));
          }
          return chain.compose(v -> ports.deleteAny(tx, gwPort));
        });
  }

  private Future<Void> refuseIfFloatingIps(Tx tx, UUID routerId, String what) {
    return tx.one("SELECT id FROM floating_ips WHERE router_id = $1 LIMIT 1", routerId).map(fip -> {
      if (fip.isPresent()) {
        throw ApiError.failedPrecondition("router '" + routerId + "' cannot be " + what + ": floating IP '"
            + fip.get().getUUID("id") + "' is associated through it; disassociate it first");
      }
      return null;
    });
  }

  private Future<Row> lock(Tx tx, UUID id) {
    return tx.one("SELECT id, name, admin_state_up, distributed, gw_network_id, gw_port_id, revision, project_id FROM routers"
            + " WHERE id = $1 FOR UPDATE", id)
        .map(r -> r.orElseThrow(() -> ApiError.notFound("router", id.toString())));
  }

  /** Raises the router's revision (with optional column updates) and records its event. */
  private Future<Void> bump(Tx tx, UUID id, String sets, Object a, Object b) {
    String sql = "UPDATE routers SET " + (sets == null ? "" : sets + ", ")
        + "revision = revision + 1, updated_at = now() WHERE id = $1 RETURNING revision";
    Future<Optional<Row>> updated = sets == null ? tx.one(sql, id) : tx.one(sql, id, a, b);
    return updated.map(row -> {
      tx.changed(ResourceType.RESOURCE_TYPE_ROUTER, id, row.get().getLong("revision"), ChangeKind.CHANGE_KIND_UPDATED,
          null, List.of(id), List.of());
      return null;
    });
  }
}

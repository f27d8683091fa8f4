package io.dvr.gateway.store;

import io.dvr.store.Page;
import io.dvr.store.Tx;
import io.dvr.common.grpc.ApiError;
import io.dvr.common.model.DeviceOwners;
import io.dvr.common.net.Ipv4;
import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.FloatingIpFacts;
import io.dvr.proto.v1.ListFloatingIpsRequest;
import io.dvr.proto.v1.ResourceType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Floating IPs: an address on an external network (held by a network:floatingip port) and,
 * when associated, a fixed IP of a VM port plus the router that connects the two.
 */
public final class FloatingIpStore {
  private final PortStore ports;
  private final QuotaStore quotas;

  public FloatingIpStore(PortStore ports, QuotaStore quotas) {
    this.ports = ports;
    this.quotas = quotas;
  }

  /**
   * Creates a floating IP of the project on an external network (any project's); associates it
   * when a port is given. {@code allowed} is the caller's own checks, already sent: their answers
   * come first, their error is the one told, and nothing is written unless they passed. Gives the
   * floating IP as a read in this transaction would show it.
   */
  public Future<FloatingIp> create(Tx tx, Future<?> allowed, UUID networkId, Ipv4 address, UUID portId,
      Ipv4 fixedIp, String project) {
    UUID id = UUID.randomUUID();
    // The network, its subnets and the project's floating IP quota are asked for at once, behind the
    // caller's checks (one round trip); the network is checked first.
    Future<Optional<Row>> network = tx.one("SELECT router_external, name FROM networks WHERE id = $1", networkId);
    Future<List<Row>> subnetRows = tx.all("SELECT " + SubnetInfo.COLUMNS + " WHERE s.network_id = $1"
        + " ORDER BY s.created_at, s.id", networkId);
    Future<Long> limit = quotas.limit(tx, project, "floatingip");
    return Future.all(allowed, network, subnetRows, limit)
        .compose(all -> {
          Row n = network.result().orElseThrow(() -> ApiError.notFound("network", networkId.toString()));
          if (!n.getBoolean("router_external")) {
            throw ApiError.invalid("floating_network_id", networkId, "network '" + n.getString("name")
                + "' is not an external network (router:external)");
          }
          List<SubnetInfo> subnets = subnetRows.result().stream().map(SubnetInfo::of).toList();
          if (subnets.isEmpty()) {
            throw ApiError.failedPrecondition("external network '" + networkId + "' has no subnet");
          }
          NewPort.IpRequest ip = address == null
              ? new NewPort.IpRequest(subnets.get(0).id(), null, "floating_ip_address")
              : new NewPort.IpRequest(SubnetInfo.holding(subnets, address, "floating_ip_address",
                  "external network '" + networkId + "'").id(), address, "floating_ip_address");
          Map<UUID, SubnetInfo> known = new HashMap<>();
          subnets.forEach(s -> known.put(s.id(), s));
          return ports.create(tx, NewPort.system(networkId, DeviceOwners.FLOATING_IP, id, List.of(ip), project), known);
        })
        .compose(fipPort -> {
          // The insert, the quota's lock and count and, to associate, the port's lock and what the
          // association needs to know go at once; the server runs them in this order, so the locks are
          // taken in the same order as ever. Without a port the insert returns the floating IP as shown.
          Future<Optional<Row>> inserted = tx.one("INSERT INTO floating_ips AS f(id, floating_network_id,"
              + " floating_port_id, floating_ip_address, project_id) SELECT $1, $2, $3, ip_address, $4"
              + " FROM ip_allocations WHERE port_id = $3 RETURNING "
              + (portId == null ? Mapping.FLOATING_IP_COLUMNS : "host(f.floating_ip_address) AS address"),
              id, networkId, fipPort, project);
          Future<Void> quota = quotas.enforce(tx, project, "floatingip", limit.result());
          Future<Target> target = portId == null ? Future.succeededFuture() : lockTarget(tx, id, portId);
          return Future.all(inserted, quota, target).compose(done -> {
            tx.changed(ResourceType.RESOURCE_TYPE_FLOATING_IP, id, 1, ChangeKind.CHANGE_KIND_CREATED,
                networkId, List.of(), List.of());
            Row row = inserted.result().orElseThrow(() -> ApiError.notFound("floating IP", id.toString()));
            if (portId == null) {
              return Future.succeededFuture(Mapping.floatingIp(row));
            }
            // Nothing else can see the new row: no lock to take on it, its state is what was inserted.
            Association created = new Association(networkId, row.getString("address"), null, null, "");
            return associateLocked(tx, id, created, target.result(), portId, fixedIp);
          });
        });
  }

  public Future<Optional<FloatingIp>> get(Tx tx, UUID id) {
    return tx.one("SELECT " + Mapping.FLOATING_IP_COLUMNS + " FROM floating_ips f WHERE f.id = $1", id)
        .map(r -> r.map(Mapping::floatingIp));
  }

  public Future<FloatingIp> require(Tx tx, UUID id) {
    return get(tx, id).map(f -> f.orElseThrow(() -> ApiError.notFound("floating IP", id.toString())));
  }

  public Future<Page<FloatingIp>> list(Tx tx, ListFloatingIpsRequest q, UUID networkId, UUID portId, UUID routerId,
      int size, UUID after, Scope scope) {
    return tx.all("SELECT " + Mapping.FLOATING_IP_COLUMNS + " FROM floating_ips f"
            + " WHERE ($1::uuid IS NULL OR f.floating_network_id = $1) AND ($2::uuid IS NULL OR f.port_id = $2)"
            + " AND ($3::uuid IS NULL OR f.router_id = $3) AND ($4::uuid IS NULL OR f.id > $4)"
            + " AND " + Ownership.inScope("f", 6) + " ORDER BY f.id LIMIT $5",
            networkId, portId, routerId, after, size + 1, scope.filter())
        .map(rows -> Page.of(rows, size, Mapping::floatingIp, FloatingIp::getId));
  }

  /**
   * Associates with a port's fixed IP. The port's subnet must be attached to a router whose
   * gateway is on the floating IP's network: that router will carry the traffic. {@code allowed}
   * is the caller's own checks, already sent: their error is the one told. Gives the floating IP
   * as a read in this transaction would show it.
   */
  public Future<FloatingIp> associate(Tx tx, Future<?> allowed, UUID id, UUID portId, Ipv4 fixedIp) {
    // The floating IP and the port are locked, in this order, and what the association needs to know
    // is read behind the locks: one round trip.
    Future<Row> locked = lock(tx, id);
    Future<Target> target = lockTarget(tx, id, portId);
    return Future.all(allowed, locked, target)
        .compose(all -> associateLocked(tx, id, Association.of(locked.result()), target.result(), portId, fixedIp));
  }

  /**
   * A port locked for an association and, read behind its lock: per subnet of its addresses, the
   * routers attached to it whose gateway is on the floating IP's network (in id order), and the
   * other floating IPs on the port.
   */
  private record Target(Optional<Row> port, List<Row> routers, List<Row> others) {
    /** The first router of the subnet, as {@code ORDER BY router_id} gives it; null if none. */
    UUID router(UUID subnetId) {
      return routers.stream().filter(r -> r.getUUID("subnet_id").equals(subnetId)).map(r -> r.getUUID("router_id"))
          .findFirst().orElse(null);
    }

    /** Another floating IP on this fixed IP of the port (both as {@code host()} writes them); null if none. */
    UUID otherOn(String fixedIp) {
      return others.stream().filter(r -> r.getString("ip").equals(fixedIp)).map(r -> r.getUUID("id"))
          .findFirst().orElse(null);
    }
  }

  /** Sent behind the floating IP's insert or lock: the router lookup names its network through it. */
  private static Future<Target> lockTarget(Tx tx, UUID id, UUID portId) {
    Future<Optional<Row>> port = lockPort(tx, portId);
    Future<List<Row>> routers = tx.all("SELECT a.subnet_id, ri.router_id FROM ip_allocations a"
        + " JOIN router_interfaces ri ON ri.subnet_id = a.subnet_id JOIN routers r ON r.id = ri.router_id"
        + " WHERE a.port_id = $1 AND r.gw_network_id = (SELECT floating_network_id FROM floating_ips WHERE id = $2)"
        + " ORDER BY ri.router_id", portId, id);
    Future<List<Row>> others = tx.all("SELECT id, host(fixed_ip_address) AS ip FROM floating_ips"
        + " WHERE port_id = $1 AND id <> $2", portId, id);
    return Future.all(port, routers, others).map(all -> new Target(port.result(), routers.result(), others.result()));
  }

  /**
   * Associates a floating IP, locked and as it is now, with the locked port (if it exists): no
   * router for the fixed IP's subnet and another floating IP on that fixed IP are judged in that order.
   */
  private Future<FloatingIp> associateLocked(Tx tx, UUID id, Association fip, Target target, UUID portId,
      Ipv4 fixedIp) {
    Row port = target.port().orElseThrow(() -> ApiError.notFound("port", portId.toString()));
    String owner = port.getString("device_owner");
    if (owner.startsWith("network:")) {
      throw ApiError.invalid("port_id", portId, "port is owned by " + owner + "; a floating IP needs a VM port");
    }
    JsonObject chosen = chooseFixedIp(portId, port.getJsonArray("fixed_ips"), fixedIp);
    UUID subnetId = UUID.fromString(chosen.getString("subnet_id"));
    String ip = chosen.getString("ip_address");
    UUID routerId = target.router(subnetId);
    if (routerId == null) {
      throw ApiError.failedPrecondition("external network '" + fip.networkId() + "' is not reachable from subnet '"
          + subnetId + "' of port '" + portId + "': no router attached to that subnet has its gateway on it");
    }
    UUID other = target.otherOn(ip);
    if (other != null) {
      throw ApiError.alreadyExists("fixed IP " + ip + " of port '" + portId + "' already has floating IP '" + other + "'");
    }
    return set(tx, id, portId, ip, routerId, fip, port.getString("binding_host"));
  }

  private static Future<Optional<Row>> lockPort(Tx tx, UUID portId) {
    return tx.one("SELECT " + Mapping.PORT_COLUMNS + " FROM ports p WHERE p.id = $1 FOR UPDATE", portId);
  }

  /** Disassociates; {@code allowed} as for {@link #associate}. */
  public Future<FloatingIp> disassociate(Tx tx, Future<?> allowed, UUID id) {
    Future<Row> locked = lock(tx, id);
    return Future.all(allowed, locked).compose(all -> {
      Row fip = locked.result();
      return fip.getUUID("port_id") == null ? require(tx, id)
          : set(tx, id, null, null, null, Association.of(fip), fip.getString("port_host"));
    });
  }

  /** Disassociates every floating IP of a port about to be deleted. */
  static Future<Void> disassociateFromPort(Tx tx, UUID portId) {
    return tx.all("UPDATE floating_ips SET port_id = NULL, fixed_ip_address = NULL, router_id = NULL,"
            + " revision = revision + 1, updated_at = now()"
            + " FROM (SELECT id, router_id AS old_router FROM floating_ips WHERE port_id = $1 FOR UPDATE) old"
            + " WHERE floating_ips.id = old.id RETURNING floating_ips.id, floating_ips.revision,"
            + " floating_ips.floating_network_id, old.old_router, host(floating_ips.floating_ip_address) AS address,"
            + " (SELECT binding_host FROM ports WHERE id = $1) AS port_host", portId)
        .map(rows -> {
          rows.forEach(r -> changed(tx, r.getUUID("id"), r.getLong("revision"), ChangeKind.CHANGE_KIND_UPDATED,
              List.of(r.getUUID("old_router")), facts(r.getString("address"), r.getUUID("floating_network_id"), null,
                  null, null, "", r.getString("port_host"))));
          return null;
        });
  }

  public Future<Void> delete(Tx tx, UUID id) {
    return lock(tx, id).compose(fip -> tx.query("DELETE FROM floating_ips WHERE id = $1", id)
        .compose(v -> ports.deleteAny(tx, fip.getUUID("floating_port_id")))
        .map(v -> {
          List<UUID> routers = fip.getUUID("router_id") == null ? List.of() : List.of(fip.getUUID("router_id"));
          changed(tx, id, fip.getLong("revision") + 1, ChangeKind.CHANGE_KIND_DELETED, routers,
              facts(fip.getString("address"), fip.getUUID("floating_network_id"), null, null, null, "",
                  fip.getString("port_host")));
          return null;
        }));
  }

  /** Sets the association; gives the floating IP as a read in this transaction would show it. */
  private Future<FloatingIp> set(Tx tx, UUID id, UUID portId, String ip, UUID routerId, Association old, String host) {
    return tx.one("UPDATE floating_ips AS f SET port_id = $2, fixed_ip_address = $3::text::inet, router_id = $4,"
            + " revision = revision + 1, updated_at = now() WHERE f.id = $1 RETURNING " + Mapping.FLOATING_IP_COLUMNS,
            id, portId, ip, routerId)
        .map(row -> {
          List<UUID> routers = new ArrayList<>();
          if (old.routerId() != null) {
            routers.add(old.routerId());
          }
          if (routerId != null) {
            routers.add(routerId);
          }
          // The host it left: that of the port it was on, when it moves to another port or leaves it.
          boolean left = old.portId() != null && !old.portId().equals(portId);
          changed(tx, id, row.get().getLong("revision"), ChangeKind.CHANGE_KIND_UPDATED, routers,
              facts(old.address(), old.networkId(), portId, ip, routerId,
                  portId == null ? "" : host, left ? old.portHost() : ""));
          return Mapping.floatingIp(row.get());
        });
  }

  /** What a floating IP is associated with before a change: its network and address, its port, router and host. */
  private record Association(UUID networkId, String address, UUID portId, UUID routerId, String portHost) {
    static Association of(Row locked) {
      return new Association(locked.getUUID("floating_network_id"), locked.getString("address"),
          locked.getUUID("port_id"), locked.getUUID("router_id"), locked.getString("port_host"));
    }
  }

  /**
   * A floating IP's change names the hosts that must act on it: the host of the port it is on now
   * and the one of the port it left (a host's view holds the floating IPs of the ports bound there
   * alone); its routers' other hosts have nothing to do.
   */
  private static void changed(Tx tx, UUID id, long revision, ChangeKind kind, List<UUID> routers, FloatingIpFacts facts) {
    tx.changed(ResourceType.RESOURCE_TYPE_FLOATING_IP, id, revision, kind, UUID.fromString(facts.getFloatingNetworkId()),
        routers, List.of(facts.getHost(), facts.getPreviousHost()), facts);
  }

  /** What a change left of a floating IP's association (no port: none). */
  private static FloatingIpFacts facts(String address, UUID network, UUID portId, String fixedIp, UUID routerId,
      String host, String previousHost) {
    FloatingIpFacts.Builder facts = FloatingIpFacts.newBuilder().setFloatingIpAddress(address)
        .setFloatingNetworkId(network.toString()).setHost(host == null ? "" : host)
        .setPreviousHost(previousHost == null ? "" : previousHost);
    if (portId != null) {
      facts.setPortId(portId.toString()).setFixedIpAddress(fixedIp).setRouterId(routerId.toString());
    }
    return facts.build();
  }

  private static JsonObject chooseFixedIp(UUID portId, JsonArray fixedIps, Ipv4 wanted) {
    List<JsonObject> candidates = new ArrayList<>();
    fixedIps.forEach(o -> candidates.add((JsonObject) o));
    if (wanted != null) {
      return candidates.stream().filter(c -> c.getString("ip_address").equals(wanted.toString())).findFirst()
          .orElseThrow(() -> ApiError.invalid("fixed_ip_address", wanted, "not an address of port '" + portId + "'"));
    }
    if (candidates.isEmpty()) {
      throw ApiError.invalid("port_id", portId, "the port has no IPv4 address to associate");
    }
    if (candidates.size() > 1) {
      throw ApiError.invalid("fixed_ip_address", "", "port '" + portId
          + "' has several IPv4 addresses; give fixed_ip_address");
    }
    return candidates.get(0);
  }

  private Future<Row> lock(Tx tx, UUID id) {
    // With the host of the port it is on (for its change's facts).
    return tx.one("SELECT f.id, f.floating_network_id, f.floating_port_id, f.port_id, f.router_id, f.revision,"
            + " host(f.floating_ip_address) AS address, coalesce(p.binding_host, '') AS port_host"
            + " FROM floating_ips f LEFT JOIN ports p ON p.id = f.port_id WHERE f.id = $1 FOR UPDATE OF f", id)
        .map(r -> r.orElseThrow(() -> ApiError.notFound("floating IP", id.toString())));
  }
}

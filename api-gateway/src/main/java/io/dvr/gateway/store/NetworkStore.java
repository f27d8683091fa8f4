package io.dvr.gateway.store;

import io.dvr.store.Page;
import io.dvr.store.Tx;
import io.dvr.common.grpc.ApiError;
import io.dvr.common.net.Ipv4;
import io.dvr.common.net.Ipv4Cidr;
import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.ResourceType;
import io.dvr.proto.v1.Subnet;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Networks and their subnets. */
public final class NetworkStore {
  private final QuotaStore quotas;

  public NetworkStore(QuotaStore quotas) {
    this.quotas = quotas;
  }

  /** A validated subnet to create; pools as [first, last] pairs. */
  public record NewSubnet(UUID id, UUID networkId, String name, Ipv4Cidr cidr, Ipv4 gateway, List<Ipv4[]> pools,
      String project) {
    /** The same subnet in the given project. */
    public NewSubnet in(String owner) {
      return new NewSubnet(id, networkId, name, cidr, gateway, pools, owner);
    }
  }

  public Future<UUID> createNetwork(Tx tx, UUID id, String name, boolean external, boolean adminUp, int mtu,
      String project) {
    return tx.one("INSERT INTO networks(id, name, router_external, admin_state_up, mtu, project_id)"
        + " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id",
        id, name, external, adminUp, mtu, project)
        .map(inserted -> inserted.orElseThrow(() -> Resources.idTaken("network", id)))
        .compose(v -> quotas.enforce(tx, project, "network"))
        .map(v -> {
          tx.changed(ResourceType.RESOURCE_TYPE_NETWORK, id, 1, ChangeKind.CHANGE_KIND_CREATED);
          return id;
        });
  }

  public Future<Optional<Network>> getNetwork(Tx tx, UUID id) {
    return tx.one("SELECT " + Mapping.NETWORK_COLUMNS + " FROM networks n WHERE n.id = $1", id)
        .map(r -> r.map(Mapping::network));
  }

  public Future<Network> requireNetwork(Tx tx, UUID id) {
    return getNetwork(tx, id).map(n -> n.orElseThrow(() -> ApiError.notFound("network", id.toString())));
  }

  /** The networks the scope sees: its own and every external one. */
  public Future<Page<Network>> listNetworks(Tx tx, String name, Boolean external, int size, UUID after, Scope scope) {
    return tx.all("SELECT " + Mapping.NETWORK_COLUMNS + " FROM networks n WHERE ($1 = '' OR n.name = $1)"
            + " AND ($2::boolean IS NULL OR n.router_external = $2) AND ($3::uuid IS NULL OR n.id > $3)"
            + " AND (" + Ownership.inScope("n", 5) + " OR n.router_external)"
            + " ORDER BY n.id LIMIT $4", name, external, after, size + 1, scope.filter())
        .map(rows -> Page.of(rows, size, Mapping::network, Network::getId));
  }

  /**
   * Updates the given fields (null: unchanged); an update that changes nothing writes nothing. With a new MTU the event names the routers with a
   * port on the network, so that the hosts carrying them render it.
   */
  public Future<Void> updateNetwork(Tx tx, UUID id, String name, Boolean adminUp, Integer mtu) {
    return tx.one("UPDATE networks SET name = coalesce($2, name), admin_state_up = coalesce($3, admin_state_up),"
            + " mtu = coalesce($4, mtu), revision = revision + 1, updated_at = now() WHERE id = $1"
            + " AND (name, admin_state_up, mtu) IS DISTINCT FROM"
            + " (coalesce($2, name), coalesce($3, admin_state_up), coalesce($4, mtu)) RETURNING revision",
            id, name, adminUp, mtu)
        .compose(row -> {
          if (row.isEmpty()) {
            // Unknown, or nothing to change: then the revision and updated_at stay.
            return tx.one("SELECT 1 FROM networks WHERE id = $1", id).map(found -> {
              found.orElseThrow(() -> ApiError.notFound("network", id.toString()));
              return null;
            });
          }
          long revision = row.get().getLong("revision");
          Future<List<Row>> concerned = mtu == null ? Future.succeededFuture(List.of())
              : tx.all("SELECT ri.router_id FROM router_interfaces ri JOIN subnets s ON s.id = ri.subnet_id"
                  + " WHERE s.network_id = $1 UNION SELECT r.id FROM routers r WHERE r.gw_network_id = $1", id);
          return concerned.map(routers -> {
            tx.changed(ResourceType.RESOURCE_TYPE_NETWORK, id, revision, ChangeKind.CHANGE_KIND_UPDATED, id,
                routers.stream().map(r -> r.getUUID(0)).toList(), List.of());
            return null;
          });
        });
  }

  /** Whether the network is external (router:external), for checks that depend on its type. */
  public Future<Boolean> isExternal(Tx tx, UUID id) {
    return tx.one("SELECT router_external FROM networks WHERE id = $1", id)
        .map(r -> r.orElseThrow(() -> ApiError.notFound("network", id.toString())).getBoolean("router_external"));
  }

  /** Deletes a network and its subnets; refused while any port (router ports included) is on it. */
  public Future<Void> deleteNetwork(Tx tx, UUID id) {
    return tx.one("SELECT revision FROM networks WHERE id = $1 FOR UPDATE", id)
        .compose(row -> {
          long revision = row.orElseThrow(() -> ApiError.notFound("network", id.toString())).getLong("revision");
          return tx.one("SELECT count(*) AS n, min(id::text) AS example, min(device_owner) AS owner"
                  + " FROM ports WHERE network_id = $1", id)
              .compose(ports -> {
                Row p = ports.get();
                if (p.getLong("n") > 0) {
                  throw ApiError.failedPrecondition("network '" + id + "' is in use: " + p.getLong("n")
                      + " port(s) on it, e.g. port '" + p.getString("example") + "'");
                }
                return tx.all("DELETE FROM subnets WHERE network_id = $1 RETURNING id, revision", id);
              })
              .compose(subnets -> {
                subnets.forEach(s -> tx.changed(ResourceType.RESOURCE_TYPE_SUBNET, s.getUUID("id"),
                    s.getLong("revision") + 1, ChangeKind.CHANGE_KIND_DELETED, id, List.of(), List.of()));
                return tx.query("DELETE FROM networks WHERE id = $1", id);
              })
              .map(v -> {
                tx.changed(ResourceType.RESOURCE_TYPE_NETWORK, id, revision + 1, ChangeKind.CHANGE_KIND_DELETED);
                return null;
              });
        });
  }

  /** Creates a subnet; the network row lock serialises the overlap check of concurrent creations. */
  public Future<UUID> createSubnet(Tx tx, NewSubnet s) {
    return tx.one("SELECT id FROM networks WHERE id = $1 FOR UPDATE", s.networkId())
        .compose(net -> {
          net.orElseThrow(() -> ApiError.notFound("network", s.networkId().toString()));
          return tx.one("SELECT id, cidr::text AS cidr FROM subnets WHERE network_id = $1 AND cidr && $2::text::cidr",
              s.networkId(), s.cidr().toString());
        })
        .compose(overlap -> {
          if (overlap.isPresent()) {
            throw ApiError.invalid("cidr", s.cidr(), "overlaps subnet '" + overlap.get().getUUID("id") + "' ("
                + overlap.get().getString("cidr") + ") on network '" + s.networkId() + "'");
          }
          return tx.one("INSERT INTO subnets(id, network_id, name, cidr, gateway_ip, project_id) VALUES ($1, $2, $3,"
                  + " $4::text::cidr, $5::text::inet, $6) ON CONFLICT (id) DO NOTHING RETURNING id", s.id(), s.networkId(),
              s.name(), s.cidr().toString(), s.gateway() == null ? null : s.gateway().toString(), s.project());
        })
        .map(inserted -> inserted.orElseThrow(() -> Resources.idTaken("subnet", s.id())))
        .compose(v -> quotas.enforce(tx, s.project(), "subnet"))
        .compose(v -> tx.batch("INSERT INTO allocation_pools(subnet_id, first_ip, last_ip)"
                + " VALUES ($1, $2::text::inet, $3::text::inet)",
            s.pools().stream().map(p -> io.vertx.sqlclient.Tuple.of(s.id(), p[0].toString(), p[1].toString())).toList()))
        .map(v -> {
          tx.changed(ResourceType.RESOURCE_TYPE_SUBNET, s.id(), 1, ChangeKind.CHANGE_KIND_CREATED,
              s.networkId(), List.of(), List.of());
          return s.id();
        });
  }

  public Future<Optional<Subnet>> getSubnet(Tx tx, UUID id) {
    return tx.one("SELECT " + Mapping.SUBNET_COLUMNS + " FROM subnets s WHERE s.id = $1", id)
        .map(r -> r.map(Mapping::subnet));
  }

  public Future<Subnet> requireSubnet(Tx tx, UUID id) {
    return getSubnet(tx, id).map(s -> s.orElseThrow(() -> ApiError.notFound("subnet", id.toString())));
  }

  /** The subnets the scope sees: its own and those of every external network. */
  public Future<Page<Subnet>> listSubnets(Tx tx, UUID networkId, String name, int size, UUID after, Scope scope) {
    return tx.all("SELECT " + Mapping.SUBNET_COLUMNS + " FROM subnets s WHERE ($1::uuid IS NULL OR s.network_id = $1)"
            + " AND ($2 = '' OR s.name = $2) AND ($3::uuid IS NULL OR s.id > $3)"
            + " AND (" + Ownership.inScope("s", 5) + " OR EXISTS (SELECT 1 FROM networks x WHERE x.id = s.network_id"
            + " AND x.router_external)) ORDER BY s.id LIMIT $4",
            networkId, name, after, size + 1, scope.filter())
        .map(rows -> Page.of(rows, size, Mapping::subnet, Subnet::getId));
  }

  /** Deletes a subnet; refused while any address on it is allocated (router interfaces included). */
  public Future<Void> deleteSubnet(Tx tx, UUID id) {
    return tx.one("SELECT network_id, revision FROM subnets WHERE id = $1 FOR UPDATE", id)
        .compose(row -> {
          Row s = row.orElseThrow(() -> ApiError.notFound("subnet", id.toString()));
          return tx.one("SELECT count(*) AS n, min(port_id::text) AS example FROM ip_allocations WHERE subnet_id = $1", id)
              .compose(used -> {
                if (used.get().getLong("n") > 0) {
                  throw ApiError.failedPrecondition("subnet '" + id + "' is in use: " + used.get().getLong("n")
                      + " address(es) allocated, e.g. to port '" + used.get().getString("example") + "'");
                }
                return tx.query("DELETE FROM subnets WHERE id = $1", id);
              })
              .map(v -> {
                tx.changed(ResourceType.RESOURCE_TYPE_SUBNET, id, s.getLong("revision") + 1,
                    ChangeKind.CHANGE_KIND_DELETED, s.getUUID("network_id"), List.of(), List.of());
                return null;
              });
        });
  }
}

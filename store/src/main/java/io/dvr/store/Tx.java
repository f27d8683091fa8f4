package io.dvr.store;

import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.FloatingIpFacts;
import io.dvr.proto.v1.PortFacts;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * One unit of work: the SQL client it runs on and the domain events it will write to the
 * outbox in the same transaction. Reads outside a transaction use a Tx on the pool.
 */
public final class Tx {
  private final SqlClient client;
  private final List<ResourceChanged> events = new ArrayList<>();

  Tx(SqlClient client) {
    this.client = client;
  }

  public Future<RowSet<Row>> query(String sql, Object... args) {
    return client.preparedQuery(sql).execute(Tuple.wrap(args));
  }

  public Future<Void> batch(String sql, List<Tuple> rows) {
    return client.preparedQuery(sql).executeBatch(rows).mapEmpty();
  }

  /** A batch whose statement returns one row per tuple: the rows, in the tuples' order. */
  Future<List<Row>> batchReturning(String sql, List<Tuple> rows) {
    return client.preparedQuery(sql).executeBatch(rows).map(result -> {
      List<Row> returned = new ArrayList<>(rows.size());
      for (RowSet<Row> each = result; each != null; each = each.next()) {
        each.forEach(returned::add);
      }
      return returned;
    });
  }

  public Future<Optional<Row>> one(String sql, Object... args) {
    return query(sql, args).map(rows -> {
      var it = rows.iterator();
      return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
    });
  }

  public Future<List<Row>> all(String sql, Object... args) {
    return query(sql, args).map(rows -> {
      List<Row> list = new ArrayList<>(rows.size());
      rows.forEach(list::add);
      return list;
    });
  }

  /** Records that a resource changed; written to the outbox when the work completes. */
  public void changed(ResourceType type, UUID id, long revision, ChangeKind kind, UUID networkId,
      Collection<UUID> routerIds, Collection<String> hosts) {
    changed(type, id, revision, kind, networkId, routerIds, hosts, null, null);
  }

  /** A port's change with what it left of the port ({@code port}; null: none told), for receivers that patch. */
  public void changed(ResourceType type, UUID id, long revision, ChangeKind kind, UUID networkId,
      Collection<UUID> routerIds, Collection<String> hosts, PortFacts port) {
    changed(type, id, revision, kind, networkId, routerIds, hosts, port, null);
  }

  /** A floating IP's change with what it left of its association ({@code floatingIp}), for receivers that patch. */
  public void changed(ResourceType type, UUID id, long revision, ChangeKind kind, UUID networkId,
      Collection<UUID> routerIds, Collection<String> hosts, FloatingIpFacts floatingIp) {
    changed(type, id, revision, kind, networkId, routerIds, hosts, null, floatingIp);
  }

  private void changed(ResourceType type, UUID id, long revision, ChangeKind kind, UUID networkId,
      Collection<UUID> routerIds, Collection<String> hosts, PortFacts port, FloatingIpFacts floatingIp) {
    ResourceChanged.Builder event = ResourceChanged.newBuilder()
        .setResourceType(type).setResourceId(id.toString()).setRevision(revision).setKind(kind);
    if (networkId != null) {
      event.setNetworkId(networkId.toString());
    }
    routerIds.stream().distinct().sorted().forEach(r -> event.addRouterIds(r.toString()));
    hosts.stream().filter(h -> h != null && !h.isEmpty()).distinct().sorted().forEach(event::addHosts);
    if (port != null) {
      event.setPort(port);
    }
    if (floatingIp != null) {
      event.setFloatingIp(floatingIp);
    }
    events.add(event.build());
  }

  public void changed(ResourceType type, UUID id, long revision, ChangeKind kind) {
    changed(type, id, revision, kind, null, List.of(), List.of());
  }

  List<ResourceChanged> events() {
    return events;
  }
}

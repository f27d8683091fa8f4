package io.dvr.store;

import io.dvr.common.tracing.Tracing;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Tuple;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import com.google.protobuf.Timestamp;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes a unit of work's events into the outbox table, in its transaction, and wakes the relay
 * (or, when the writer publishes them itself, gives them back numbered and with their transaction);
 * and notes the transaction as the last change of each resource and router the events name
 * (table {@code changes}: what a wait for a change, and the applied state, compare with).
 */
final class Outbox {
  static final String CHANNEL = "dvr_outbox";

  private Outbox() {}

  /** Events for their writer to publish after the commit, numbered and stamped, with the change's trace. */
  record Written(List<ResourceChanged> events, String trace) {
    static final Written NONE = new Written(List.of(), "");
  }

  /**
   * Appends the unit of work's events. With a writer's grace ({@code writerGraceMillis > 0}) the
   * writer publishes them itself after the commit: the rows wake no relay and wait that long for
   * it, and the events come back numbered and stamped as the relay would publish them; without
   * one, NOTIFY wakes the relay at commit and nothing comes back.
   */
  static Future<Written> append(Tx tx, long writerGraceMillis) {
    if (tx.events().isEmpty()) {
      return Future.succeededFuture(Written.NONE);
    }
    // The change's trace goes with its events (empty while tracing is off).
    String trace = Tracing.currentTraceparent();
    boolean writerPublishes = writerGraceMillis > 0;
    List<Tuple> rows = tx.events().stream()
        .map(e -> writerPublishes ? Tuple.of(Buffer.buffer(e.toByteArray()), trace, writerGraceMillis)
            : Tuple.of(Buffer.buffer(e.toByteArray()), trace))
        .toList();
    Map<UUID, Tuple> changes = new LinkedHashMap<>();
    Map<UUID, Tuple> hostless = new LinkedHashMap<>();
    for (ResourceChanged e : tx.events()) {
      UUID id = UUID.fromString(e.getResourceId());
      Tuple row = Tuple.of(id, (short) e.getResourceTypeValue(),
          e.getRouterIdsList().stream().map(UUID::fromString).toArray(UUID[]::new), e.getHostsList().toArray(String[]::new));
      // A change that concerns no host (a port's status as its agent reported it) does not replace
      // one that does: a wait for the resource waits for what the hosts must do.
      (e.getRouterIdsCount() == 0 && e.getHostsCount() == 0 ? hostless : changes).put(id, row);
    }
    // A router's own row moves with the changes that concern it on every host that carries it:
    // not a port's (scheduler-svc refetches the router on the port's hosts alone, the others
    // patch an ARP entry) nor a floating IP's (only the hosts of the ports it moved on and off
    // hold it); their own rows name their routers and hosts.
    for (ResourceChanged e : tx.events()) {
      if (e.getResourceType() == ResourceType.RESOURCE_TYPE_PORT
          || e.getResourceType() == ResourceType.RESOURCE_TYPE_FLOATING_IP) {
        continue;
      }
      for (String router : e.getRouterIdsList()) {
        changes.putIfAbsent(UUID.fromString(router), Tuple.of(UUID.fromString(router),
            (short) ResourceType.RESOURCE_TYPE_ROUTER_VALUE, new UUID[] {UUID.fromString(router)}, new String[0]));
      }
    }
    hostless.keySet().removeAll(changes.keySet());
    // NOTIFY inside the transaction is delivered at commit, never before.
    List<ResourceChanged> stamped = new ArrayList<>();
    Future<Void> inserted = !writerPublishes
        ? tx.batch("INSERT INTO outbox(payload, trace_context) VALUES ($1, $2)", rows)
        : tx.batchReturning("INSERT INTO outbox(payload, trace_context, relay_after) VALUES ($1, $2,"
            + " clock_timestamp() + $3 * interval '1 millisecond')"
            + " RETURNING id, committed_at, pg_current_xact_id()::text::bigint AS change_id", rows)
            .map(returned -> {
              for (int i = 0; i < returned.size(); i++) {
                OffsetDateTime at = returned.get(i).getOffsetDateTime("committed_at");
                stamped.add(tx.events().get(i).toBuilder().setSequence(returned.get(i).getLong("id"))
                    .setChangeId(returned.get(i).getLong("change_id"))
                    .setCommittedAt(Timestamp.newBuilder().setSeconds(at.toEpochSecond()).setNanos(at.getNano()))
                    .build());
              }
              return null;
            });
    // The statements go at once, one behind the other on the connection (pipelined: the server runs
    // them in order, one round trip for all); the first that fails is the error, the rest fail behind it.
    Future<Void> changed = changes.isEmpty() ? Future.succeededFuture() : tx.batch(
        "INSERT INTO changes(resource_id, resource_type, change_id, router_ids, hosts) "
        + "VALUES ($1, $2, pg_current_xact_id()::text::bigint, $3, $4) ON CONFLICT (resource_id) DO UPDATE SET "
        + "resource_type = EXCLUDED.resource_type, change_id = EXCLUDED.change_id, router_ids = EXCLUDED.router_ids, "
        + "hosts = EXCLUDED.hosts, committed_at = clock_timestamp()", List.copyOf(changes.values()));
    Future<Void> hostlessChanged = hostless.isEmpty() ? Future.succeededFuture() : tx.batch(
        "INSERT INTO changes(resource_id, resource_type, change_id, router_ids, hosts) "
            + "VALUES ($1, $2, pg_current_xact_id()::text::bigint, $3, $4) ON CONFLICT (resource_id) DO NOTHING",
        List.copyOf(hostless.values()));
    Future<Void> notified = writerPublishes ? Future.succeededFuture()
        : tx.query("SELECT pg_notify('" + CHANNEL + "', '')").mapEmpty();
    return inserted.compose(v -> changed).compose(v -> hostlessChanged).compose(v -> notified)
        .map(v -> new Written(stamped, trace));
  }
}

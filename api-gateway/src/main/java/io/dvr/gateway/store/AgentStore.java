package io.dvr.gateway.store;

import io.dvr.store.Tx;
import io.dvr.common.grpc.ApiError;
import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.ReportAgentStateRequest;
import io.dvr.proto.v1.ResourceType;
import io.vertx.core.Future;
import java.util.List;
import java.util.UUID;

/**
 * Agents and their liveness: alive while the last heartbeat is younger than the down time
 * ({@code agent.down-time-seconds}, Neutron's agent_down_time).
 */
public final class AgentStore {
  private final long downSeconds;

  public AgentStore(long downSeconds) {
    this.downSeconds = downSeconds;
  }

  /**
   * Registers on first report, else records the heartbeat; an event on registration, restart and
   * a change of tunnel endpoint (the peers' tunnels follow it).
   */
  public Future<UUID> report(Tx tx, ReportAgentStateRequest r) {
    // The CTE reads the row as it was before this statement: the old tunnel endpoint.
    return tx.one("WITH old AS (SELECT tunnel_ip FROM agents WHERE host = $2 AND agent_type = $3)"
            + " INSERT INTO agents(id, host, agent_type, agent_mode, binary_name, tunnel_ip)"
            + " VALUES ($1, $2, $3, $4, $5, $7)"
            + " ON CONFLICT ON CONSTRAINT agents_host_type_key DO UPDATE SET last_heartbeat = now(),"
            + " agent_mode = EXCLUDED.agent_mode, binary_name = EXCLUDED.binary_name, tunnel_ip = EXCLUDED.tunnel_ip,"
            + " started_at = CASE WHEN $6 THEN now() ELSE agents.started_at END"
            + " RETURNING id, (xmax = 0) AS inserted, (SELECT tunnel_ip FROM old) IS DISTINCT FROM $7 AS tunnel_changed",
            UUID.randomUUID(), r.getHost(), r.getAgentType(), r.getAgentMode(), r.getBinary(), r.getStartFlag(),
            r.getTunnelIp())
        .map(row -> {
          UUID id = row.get().getUUID("id");
          boolean inserted = row.get().getBoolean("inserted");
          if (inserted || r.getStartFlag() || row.get().getBoolean("tunnel_changed")) {
            tx.changed(ResourceType.RESOURCE_TYPE_AGENT, id, 1,
                inserted ? ChangeKind.CHANGE_KIND_CREATED : ChangeKind.CHANGE_KIND_UPDATED,
                null, List.of(), List.of(r.getHost()));
          }
          return id;
        });
  }

  /** The host's tunnel endpoint as registered by any of its agents, or empty when it has none. */
  public Future<String> tunnelEndpoint(Tx tx, String host) {
    return tx.one("SELECT tunnel_ip FROM agents WHERE host = $1 AND tunnel_ip <> '' ORDER BY agent_type LIMIT 1", host)
        .map(row -> row.map(r -> r.getString("tunnel_ip")).orElse(""));
  }

  public Future<Agent> require(Tx tx, UUID id) {
    return tx.one("SELECT " + Mapping.agentColumns(downSeconds) + " FROM agents g WHERE g.id = $1", id)
        .map(r -> Mapping.agent(r.orElseThrow(() -> ApiError.notFound("agent", id.toString()))));
  }

  public Future<List<Agent>> list(Tx tx, String host, String type) {
    return tx.all("SELECT " + Mapping.agentColumns(downSeconds) + " FROM agents g WHERE ($1 = '' OR g.host = $1)"
            + " AND ($2 = '' OR g.agent_type = $2) ORDER BY g.host, g.agent_type", host, type)
        .map(rows -> rows.stream().map(Mapping::agent).toList());
  }

  /** Sets admin_state_up; an event for the host, as a change of its agent. */
  public Future<Void> setAdminState(Tx tx, UUID id, boolean up) {
    return tx.one("UPDATE agents SET admin_state_up = $2 WHERE id = $1 RETURNING host, admin_state_up", id, up)
        .map(row -> {
          String host = row.orElseThrow(() -> ApiError.notFound("agent", id.toString())).getString("host");
          tx.changed(ResourceType.RESOURCE_TYPE_AGENT, id, 1, ChangeKind.CHANGE_KIND_UPDATED, null, List.of(),
              List.of(host));
          return null;
        });
  }

  public Future<Void> delete(Tx tx, UUID id) {
    return tx.one("DELETE FROM agents WHERE id = $1 RETURNING host", id).map(row -> {
      String host = row.orElseThrow(() -> ApiError.notFound("agent", id.toString())).getString("host");
      tx.changed(ResourceType.RESOURCE_TYPE_AGENT, id, 2, ChangeKind.CHANGE_KIND_DELETED, null, List.of(), List.of(host));
      return null;
    });
  }
}

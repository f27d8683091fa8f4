package io.dvr.scheduler.store;

import io.dvr.common.grpc.ApiError;
import io.dvr.common.model.AgentModes;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.sqlclient.Row;
import java.util.UUID;

/**
 * A router's SNAT placed by hand (Neutron's l3-agent-router-add / l3-agent-router-remove), on the
 * host of a dvr_snat agent (api-gateway, the owner of agents, checks that; {@link #hostOf} again).
 * Add: the host may carry the SNAT again and carries it now: a standby of an HA router, the one
 * SNAT host of another router (moved there). Remove: the host may not carry it until added again; an HA
 * router's standby there goes at once, its active is moved away by {@link SnatDrains} (make before
 * break), another router's SNAT goes to another host by the next reschedule. The caller reschedules
 * the router after, which writes the hosts and tells them.
 */
public final class SnatPlacement {

  /**
   * The host of the agent, or NOT_FOUND naming it; FAILED_PRECONDITION unless it is a dvr_snat L3
   * agent (api-gateway checks that too; these rules do not lean on the caller).
   */
  public Future<String> hostOf(Tx tx, UUID agentId) {
    return tx.one("SELECT host, agent_type, agent_mode FROM agents WHERE id = $1", agentId)
        .map(found -> {
          Row row = found.orElseThrow(() -> ApiError.notFound("agent", agentId.toString()));
          String host = row.getString("host");
          String type = row.getString("agent_type");
          String mode = row.getString("agent_mode");
          if (!AgentModes.L3_AGENT.equals(type) || !AgentModes.DVR_SNAT.equals(mode)) {
            throw new ApiError(GrpcStatus.FAILED_PRECONDITION, "agent '" + agentId + "' on host '" + host + "' is a " + type
                + (mode.isEmpty() ? "" : " in mode '" + mode + "'") + ": a router's SNAT goes only on an L3 agent in mode 'dvr_snat'");
          }
          return host;
        });
  }

  public Future<Void> add(Tx tx, UUID routerId, String host) {
    return SchedulerStore.lockRouter(tx, routerId)
        .compose(v -> router(tx, routerId))
        .compose(ha -> tx.query("DELETE FROM router_snat_exclusions WHERE router_id = $1 AND host = $2", routerId, host)
            .compose(v -> ha
                ? tx.query("INSERT INTO router_snat_bindings(router_id, host, ha_state) VALUES ($1, $2, 'standby')"
                    + " ON CONFLICT (router_id, host) DO NOTHING", routerId, host)
                : tx.query("DELETE FROM router_snat_bindings WHERE router_id = $1 AND host <> $2", routerId, host)
                    .compose(x -> tx.query("INSERT INTO router_snat_bindings(router_id, host) VALUES ($1, $2)"
                        + " ON CONFLICT (router_id, host) DO NOTHING", routerId, host))))
        .mapEmpty();
  }

  public Future<Void> remove(Tx tx, UUID routerId, String host) {
    return SchedulerStore.lockRouter(tx, routerId)
        .compose(v -> router(tx, routerId))
        .compose(ha -> tx.one("SELECT ha_state FROM router_snat_bindings WHERE router_id = $1 AND host = $2", routerId, host)
            .compose(bound -> {
              if (bound.isEmpty()) {
                throw new ApiError(GrpcStatus.FAILED_PRECONDITION, "router '" + routerId + "' has no SNAT on host '" + host
                    + "': nothing to remove");
              }
              Future<?> drop = "active".equals(bound.get().getString("ha_state")) ? Future.succeededFuture()
                  : tx.query("DELETE FROM router_snat_bindings WHERE router_id = $1 AND host = $2", routerId, host);
              return drop.compose(x -> tx.query("INSERT INTO router_snat_exclusions(router_id, host) VALUES ($1, $2)"
                  + " ON CONFLICT DO NOTHING", routerId, host));
            }))
        .mapEmpty();
  }

  /** Whether the router is HA; FAILED_PRECONDITION without a gateway (no SNAT to place), NOT_FOUND if gone. */
  private static Future<Boolean> router(Tx tx, UUID routerId) {
    return tx.one("SELECT ha, gw_network_id IS NOT NULL AS gateway FROM routers WHERE id = $1", routerId).map(row -> {
      if (row.isEmpty()) {
        throw ApiError.notFound("router", routerId.toString());
      }
      if (!row.get().getBoolean("gateway")) {
        throw new ApiError(GrpcStatus.FAILED_PRECONDITION, "router '" + routerId
            + "' has no external gateway: it has no SNAT to place");
      }
      return row.get().getBoolean("ha");
    });
  }
}

package io.dvr.gateway.store;

import io.dvr.common.model.DeviceOwners;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import java.util.List;
import java.util.UUID;

/**
 * The FIP agent gateway (fg-) ports, created and deleted as scheduler-svc decides: at most one
 * per (external network, host). Both operations are idempotent, so a repeated or late request of
 * a level-triggered scheduler changes nothing.
 */
public final class FipGatewayPortStore {
  /** Seed of the advisory lock keys that serialise creations per (network, host). */
  private static final long LOCK_SEED = 0x46475054L; // "FGPT"

  /** fg- ports serve a host, not a project: only admins see them. */
  static final String NO_PROJECT = "";

  private final PortStore ports;

  public FipGatewayPortStore(PortStore ports) {
    this.ports = ports;
  }

  /**
   * Creates the host's fg- port on the external network unless it has one (or the network has no
   * subnet to take its address from); returns whether it created one.
   */
  public Future<Boolean> ensure(Tx tx, UUID networkId, String host) {
    return tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, " + LOCK_SEED + "))",
            networkId + "/" + host)
        .compose(locked -> tx.one("SELECT id FROM ports WHERE device_owner = $1 AND network_id = $2 AND binding_host = $3",
            DeviceOwners.FIP_AGENT_GATEWAY, networkId, host))
        .compose(existing -> existing.isPresent() ? Future.succeededFuture(false)
            : ports.subnetsOf(tx, networkId).compose(subnets -> subnets.isEmpty()
                ? Future.succeededFuture(false)
                : ports.create(tx, new NewPort(UUID.randomUUID(), networkId, "", null, DeviceOwners.FIP_AGENT_GATEWAY,
                    host, host, true, List.of(new NewPort.IpRequest(subnets.get(0).id(), null, "fip agent gateway")),
                    NO_PROJECT))
                    .map(id -> true)));
  }

  /** Deletes an fg- port (and nothing but an fg- port); returns whether there was one to delete. */
  public Future<Boolean> delete(Tx tx, UUID portId) {
    return tx.one("SELECT 1 FROM ports WHERE id = $1 AND device_owner = $2 FOR UPDATE", portId,
            DeviceOwners.FIP_AGENT_GATEWAY)
        .compose(row -> row.isEmpty() ? Future.succeededFuture(false) : ports.deleteAny(tx, portId).map(v -> true));
  }
}

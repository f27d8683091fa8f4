package io.dvr.gateway.store;

import io.dvr.common.grpc.ApiError;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.sqlclient.Row;
import java.util.UUID;

/**
 * Whose a resource is, checked before it is read or changed: outside the caller's scope it is
 * NOT_FOUND, the same answer as for an id that does not exist, so a project learns nothing of
 * another's resources. External networks and their subnets are visible to every project but
 * changed only by their own (PERMISSION_DENIED).
 */
public final class Ownership {
  /** The kinds with an owner, with the query of a row's project and whether every project sees it. */
  public enum Kind {
    NETWORK("network", "SELECT project_id, router_external AS shared FROM networks WHERE id = $1"),
    SUBNET("subnet", "SELECT s.project_id, n.router_external AS shared FROM subnets s"
        + " JOIN networks n ON n.id = s.network_id WHERE s.id = $1"),
    PORT("port", "SELECT project_id, false AS shared FROM ports WHERE id = $1"),
    ROUTER("router", "SELECT project_id, false AS shared FROM routers WHERE id = $1"),
    FLOATING_IP("floating IP", "SELECT project_id, false AS shared FROM floating_ips WHERE id = $1");

    final String noun;
    final String sql;

    Kind(String noun, String sql) {
      this.noun = noun;
      this.sql = sql;
    }
  }

  private Ownership() {}

  /** The resource's project, if the scope may see it; else NOT_FOUND. */
  public static Future<String> requireVisible(Tx tx, Kind kind, UUID id, Scope scope) {
    return tx.one(kind.sql, id).map(row -> {
      Row r = row.orElseThrow(() -> ApiError.notFound(kind.noun, id.toString()));
      if (!scope.owns(r.getString("project_id")) && !r.getBoolean("shared")) {
        throw ApiError.notFound(kind.noun, id.toString());
      }
      return r.getString("project_id");
    });
  }

  /** As {@link #requireVisible}, but a resource that no longer exists passes (nothing of it is left to hide). */
  public static Future<Void> requireVisibleOrGone(Tx tx, Kind kind, UUID id, Scope scope) {
    return tx.one(kind.sql, id).map(row -> {
      row.ifPresent(r -> {
        if (!scope.owns(r.getString("project_id")) && !r.getBoolean("shared")) {
          throw ApiError.notFound(kind.noun, id.toString());
        }
      });
      return null;
    });
  }

  /** The resource's project, if the scope may change it; NOT_FOUND, or PERMISSION_DENIED for a shared one. */
  public static Future<String> requireOwned(Tx tx, Kind kind, UUID id, Scope scope) {
    return tx.one(kind.sql, id).map(row -> {
      Row r = row.orElseThrow(() -> ApiError.notFound(kind.noun, id.toString()));
      return owned(kind, id, scope, r.getString("project_id"), r.getBoolean("shared"));
    });
  }

  /** As {@link #requireOwned}, on a row read already: its project, or the error the scope gets. */
  public static String owned(Kind kind, UUID id, Scope scope, String owner, boolean shared) {
    if (!scope.owns(owner)) {
      if (shared) {
        throw new ApiError(GrpcStatus.PERMISSION_DENIED, kind.noun + " '" + id + "' "
            + (kind == Kind.NETWORK ? "is an external network" : "is on an external network")
            + " of another project: every project may use it for router gateways and floating IPs, only its"
            + " own project or an admin may change it or add to it");
      }
      throw ApiError.notFound(kind.noun, id.toString());
    }
    return owner;
  }

  /** The SQL condition that a row of alias {@code a} is in the scope given as parameter {@code $n}. */
  static String inScope(String alias, int n) {
    return "($" + n + "::text IS NULL OR " + alias + ".project_id = $" + n + ")";
  }
}

package io.dvr.gateway.auth;

import io.dvr.gateway.store.Scope;
import java.time.Instant;
import java.util.Set;

/** Who makes a call, from a verified token: subject, project, roles, and until when the token holds. */
public record Caller(String subject, String projectId, Set<Role> roles, Instant expiresAt) {
  /** The project that owns what existed before projects did, and the bootstrap admin's. */
  public static final String ADMIN_PROJECT = "admin";

  /** Every call when authentication is off (insecure): an admin of the admin project. */
  public static final Caller INSECURE = new Caller("insecure", ADMIN_PROJECT, Set.of(Role.ADMIN), Instant.MAX);

  public Caller {
    roles = Set.copyOf(roles);
  }

  public boolean isAdmin() {
    return roles.contains(Role.ADMIN);
  }

  public boolean canWrite() {
    return isAdmin() || roles.contains(Role.MEMBER);
  }

  /** Which resources the caller sees: an admin every project's, anyone else its own (and external networks). */
  public Scope scope() {
    return isAdmin() ? Scope.ALL : Scope.of(projectId);
  }
}

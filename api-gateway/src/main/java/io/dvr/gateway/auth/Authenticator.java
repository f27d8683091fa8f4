package io.dvr.gateway.auth;

import io.dvr.common.grpc.ApiError;
import io.dvr.common.grpc.CallMetadata;
import io.vertx.core.Future;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is calling: the caller of the bearer token in the call's {@code authorization} metadata, or
 * UNAUTHENTICATED; with authentication off (insecure), an admin of the admin project.
 */
public final class Authenticator {
  private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
  private static final String BEARER = "Bearer ";

  private final TokenAuthority tokens;

  private Authenticator(TokenAuthority tokens) {
    this.tokens = tokens;
  }

  public static Authenticator of(TokenAuthority tokens) {
    return new Authenticator(tokens);
  }

  /** Every call is an admin's: authentication is off. */
  public static Authenticator insecure() {
    return new Authenticator(null);
  }

  /** The token authority, absent with authentication off. */
  public Optional<TokenAuthority> tokens() {
    return Optional.ofNullable(tokens);
  }

  /** The caller of the call served on the current context. */
  public Future<Caller> caller(String operation) {
    if (tokens == null) {
      return Future.succeededFuture(Caller.INSECURE);
    }
    Optional<String> header = CallMetadata.authorization();
    Future<Caller> caller;
    if (header.isEmpty()) {
      caller = Future.failedFuture(TokenAuthority.refused("this call needs a bearer token: send the metadata"
          + " 'authorization: Bearer <token>' (dvrctl sends --token, DVRCTL_TOKEN or ~/.dvr/security/admin.token)"));
    } else if (!header.get().regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      caller = Future.failedFuture(TokenAuthority.refused("the authorization metadata must read 'Bearer <token>'"));
    } else {
      caller = tokens.verify(header.get().substring(BEARER.length()).trim());
    }
    // Why a call was refused is worth a line in the log (never the token).
    return caller.onFailure(err -> LOG.info("{} refused: {}", operation,
        err instanceof ApiError e ? e.getMessage() : err.toString()));
  }
}

package io.dvr.common.grpc;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.ContextInternal;
import java.util.Optional;

/**
 * The metadata of the gRPC call being served that a service needs but the generated stubs do not
 * hand it: the {@code authorization} header (a bearer token). Vert.x runs each request on its own
 * duplicate of the connection's context, so what is kept there belongs to one call only, also
 * when a client multiplexes calls of several users on one HTTP/2 connection.
 */
public final class CallMetadata {
  public static final String AUTHORIZATION = "authorization";
  private static final Object KEY = new Object();

  private CallMetadata() {}

  /** Keeps the request's authorization header for the service code that runs on its context. */
  static void capture(HttpServerRequest request) {
    Context context = Vertx.currentContext();
    if (context instanceof ContextInternal internal && internal.isDuplicate()) {
      String value = request.getHeader(AUTHORIZATION);
      if (value != null) {
        internal.putLocal(KEY, value);
      } else {
        internal.removeLocal(KEY);
      }
    }
  }

  /**
   * Keeps an authorization value for the service code that runs on the current request's context:
   * for a face other than gRPC (the REST face's {@code X-Auth-Token}) that calls the same services.
   */
  public static void carry(String authorization) {
    Context context = Vertx.currentContext();
    if (context instanceof ContextInternal internal && internal.isDuplicate()) {
      if (authorization != null) {
        internal.putLocal(KEY, authorization);
      } else {
        internal.removeLocal(KEY);
      }
    }
  }

  /** The authorization header of the call served on the current context, if it sent one. */
  public static Optional<String> authorization() {
    Context context = Vertx.currentContext();
    if (context instanceof ContextInternal internal && internal.isDuplicate()) {
      return Optional.ofNullable(internal.getLocal(KEY));
    }
    return Optional.empty();
  }
}

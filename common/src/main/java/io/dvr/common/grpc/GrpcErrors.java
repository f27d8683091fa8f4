package io.dvr.common.grpc;

import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become gRPC statuses. The caller sees a status and a plain
 * message; what lies behind it (exception classes, addresses) goes to the service's log only.
 */
public final class GrpcErrors {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);
  static final String UNREACHABLE = "a service this call needs cannot be reached; retry later";

  private GrpcErrors() {}

  /** Maps a failed future to a status the client sees; unexpected failures are logged as INTERNAL. */
  public static <T> Future<T> toStatus(Future<T> result, String operation) {
    return result.recover(err -> Future.failedFuture(toStatusException(err, operation)));
  }

  public static StatusException toStatusException(Throwable err, String operation) {
    if (err instanceof StatusException se) {
      return se;
    }
    if (err instanceof ApiError api) {
      if (api.getCause() != null) {
        LOG.warn("{} failed: {}", operation, api.getMessage(), api.getCause());
      }
      return new StatusException(api.status(), api.getMessage());
    }
    if (connectionFailure(err)) {
      // A lost connection that no store translated: still the caller's cue to retry, not a bug.
      LOG.warn("{} failed: {}", operation, UNREACHABLE, err);
      return new StatusException(GrpcStatus.UNAVAILABLE, UNREACHABLE);
    }
    LOG.error("{} failed", operation, err);
    return new StatusException(GrpcStatus.INTERNAL, operation + " failed: " + err);
  }

  /** A connection refused, reset or closed under the call, anywhere in the chain of causes. */
  static boolean connectionFailure(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SocketException || t instanceof ClosedChannelException) {
        return true;
      }
    }
    return false;
  }
}

package io.dvr.common.grpc;

import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become gRPC statuses. */
public final class GrpcErrors {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);

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
      return new StatusException(api.status(), api.getMessage());
    }
    LOG.error("{} failed", operation, err);
    return new StatusException(GrpcStatus.INTERNAL, operation + " failed: " + err);
  }
}

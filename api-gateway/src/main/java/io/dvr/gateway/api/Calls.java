package io.dvr.gateway.api;

import io.dvr.common.grpc.GrpcErrors;
import io.vertx.core.Future;
import java.util.function.Supplier;

/** Runs one RPC body: validation failures thrown synchronously and failed futures both become statuses. */
final class Calls {
  private Calls() {}

  static <T> Future<T> call(String operation, Supplier<Future<T>> body) {
    Future<T> result;
    try {
      result = body.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return GrpcErrors.toStatus(result, operation);
  }
}

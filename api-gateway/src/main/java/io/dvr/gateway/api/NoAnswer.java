package io.dvr.gateway.api;

import io.dvr.common.grpc.ApiError;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service asked over the event bus (scheduler-svc) that gave no answer, told to the caller in
 * the user's terms: UNAVAILABLE saying whether it is not running or did not answer in time, never
 * the bus's addresses or an exception's text (those go to the log). An {@link ApiError} is the
 * service's own answer and passes unchanged.
 */
final class NoAnswer {
  private static final Logger LOG = LoggerFactory.getLogger(NoAnswer.class);

  private NoAnswer() {}

  /** {@code what}: what did not happen, e.g. "scheduler-svc did not place the SNAT of router 'X'". */
  static <T> Future<T> unavailable(Throwable err, String what, long timeoutMillis) {
    if (err instanceof ApiError) {
      return Future.failedFuture(err);
    }
    LOG.warn("{}: {}", what, err.toString());
    return Future.failedFuture(ApiError.unavailable(what + ": " + why(err, timeoutMillis)));
  }

  static String why(Throwable err, long timeoutMillis) {
    if (!(err instanceof ReplyException re)) {
      return "it could not be asked";
    }
    return switch (re.failureType()) {
      case NO_HANDLERS -> "it is not running";
      case TIMEOUT -> "it did not answer within " + timeoutMillis + " ms";
      case RECIPIENT_FAILURE -> "it failed to answer";
      default -> "it did not answer";
    };
  }
}

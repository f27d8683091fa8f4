package io.dvr.common.grpc;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.grpc.common.GrpcStatus;

/**
 * A gRPC request refused before any service sees it, for what its bytes are rather than what
 * they mean: the status and message its client gets, sent at once as a trailers-only answer.
 */
final class RequestRefused extends RuntimeException {
  /** The only compression a server of ours reads besides none. */
  static final String SUPPORTED_ENCODINGS = "gzip";

  private final GrpcStatus status;

  RequestRefused(GrpcStatus status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  /** gRPC's status for a call that requires exactly one request and got another number of them. */
  static RequestRefused cardinality(String got) {
    return new RequestRefused(GrpcStatus.UNIMPLEMENTED,
        "a unary call takes exactly one request message; this one has " + got);
  }

  GrpcStatus status() {
    return status;
  }

  /** Answers the request (unless something already did) with this status, in one HEADERS frame. */
  void send(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    if (response.ended() || response.headWritten()) {
      return;
    }
    response.setStatusCode(200)
        .putHeader("content-type", request.getHeader("content-type"))
        .putHeader("grpc-accept-encoding", SUPPORTED_ENCODINGS)
        .putHeader("grpc-status", String.valueOf(status.code))
        .putHeader(StatusMessage.HEADER, StatusMessage.encode(getMessage()))
        .end();
  }
}

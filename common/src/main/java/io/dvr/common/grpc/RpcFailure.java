package io.dvr.common.grpc;

import io.vertx.grpc.common.GrpcStatus;

/** A unary call that ended with a non-OK status; carries the server's message. */
public final class RpcFailure extends RuntimeException {
  private final GrpcStatus status;

  public RpcFailure(GrpcStatus status, String message) {
    super(status + ": " + message, null, false, false);
    this.status = status;
  }

  public GrpcStatus status() {
    return status;
  }

  /** The server's own message (grpc-message), without the status prefix. */
  public String detail() {
    return getMessage().substring(status.toString().length() + 2);
  }
}

package io.dvr.common.grpc;

import io.vertx.grpc.common.GrpcStatus;

/**
 * A failure a caller must see as a gRPC status with a precise message, for example
 * {@code INVALID_ARGUMENT: cidr '10.0.0.0/33': prefix length must be 0..32}. Thrown inside
 * transactions, it rolls them back; {@link GrpcErrors} turns it into the response status.
 */
public final class ApiError extends RuntimeException {
  private final GrpcStatus status;

  public ApiError(GrpcStatus status, String message) {
    this(status, message, null);
  }

  /** With the failure behind it, for the service's log only: the caller sees the status and message. */
  public ApiError(GrpcStatus status, String message, Throwable cause) {
    super(message, cause, false, false);
    this.status = status;
  }

  public GrpcStatus status() {
    return status;
  }

  /** A field with a bad value: {@code <field> '<value>': <reason>}. */
  public static ApiError invalid(String field, Object value, String reason) {
    return new ApiError(GrpcStatus.INVALID_ARGUMENT, field + " '" + value + "': " + reason);
  }

  public static ApiError invalid(String message) {
    return new ApiError(GrpcStatus.INVALID_ARGUMENT, message);
  }

  public static ApiError notFound(String kind, String id) {
    return new ApiError(GrpcStatus.NOT_FOUND, kind + " '" + id + "' not found");
  }

  public static ApiError alreadyExists(String message) {
    return new ApiError(GrpcStatus.ALREADY_EXISTS, message);
  }

  public static ApiError failedPrecondition(String message) {
    return new ApiError(GrpcStatus.FAILED_PRECONDITION, message);
  }

  public static ApiError exhausted(String message) {
    return new ApiError(GrpcStatus.RESOURCE_EXHAUSTED, message);
  }

  public static ApiError unavailable(String message) {
    return new ApiError(GrpcStatus.UNAVAILABLE, message);
  }

  /** Something the call needs cannot be reached now (the database): the caller may retry later. */
  public static ApiError unavailable(String message, Throwable cause) {
    return new ApiError(GrpcStatus.UNAVAILABLE, message, cause);
  }
}

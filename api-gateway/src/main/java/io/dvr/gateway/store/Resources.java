package io.dvr.gateway.store;

import io.dvr.common.grpc.ApiError;
import java.util.UUID;

/** Errors shared by the resource stores. */
final class Resources {
  private Resources() {}

  /** A create with a caller-chosen id that another resource of the kind already has. */
  static ApiError idTaken(String kind, UUID id) {
    return ApiError.alreadyExists(kind + " '" + id + "' already exists; choose another id or leave id empty");
  }
}

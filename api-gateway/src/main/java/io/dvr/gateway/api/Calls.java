package io.dvr.gateway.api;

import com.google.protobuf.Message;
import io.dvr.common.grpc.ApiError;
import io.dvr.common.grpc.GrpcErrors;
import io.dvr.gateway.auth.Authenticator;
import io.dvr.gateway.auth.Caller;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs one RPC body for its caller: the caller is authenticated first (UNAUTHENTICATED), then its
 * role checked (PERMISSION_DENIED); validation failures thrown synchronously and failed futures
 * both become statuses.
 */
final class Calls {
  /** What a call needs of its caller's role; WRITE and ADMIN_WRITE calls change resources and are audited. */
  enum Needs {
    READ, WRITE, ADMIN, ADMIN_WRITE;

    boolean mutates() {
      return this == WRITE || this == ADMIN_WRITE;
    }
  }

  private Calls() {}

  static <T> Future<T> call(Authenticator auth, String operation, Needs needs, Message request,
      Function<Caller, Future<T>> body) {
    Caller[] who = new Caller[1];
    Future<T> result = auth.caller(operation).compose(caller -> {
      who[0] = caller;
      try {
        allowed(caller, operation, needs);
        return body.apply(caller);
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    });
    Future<T> answered = GrpcErrors.toStatus(result, operation);
    if (needs.mutates()) {
      answered.onComplete(ar -> AuditLog.record(operation, who[0], request, ar));
    }
    return answered;
  }

  /** A call open to every client, token or not (agents' reports, until agents have their own identity). */
  static <T> Future<T> open(String operation, Supplier<Future<T>> body) {
    Future<T> result;
    try {
      result = body.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return GrpcErrors.toStatus(result, operation);
  }

  private static void allowed(Caller caller, String operation, Needs needs) {
    if ((needs == Needs.ADMIN || needs == Needs.ADMIN_WRITE) && !caller.isAdmin()) {
      throw new ApiError(GrpcStatus.PERMISSION_DENIED, operation + " is for admins only");
    }
    if (needs == Needs.WRITE && !caller.canWrite()) {
      throw new ApiError(GrpcStatus.PERMISSION_DENIED, operation + " changes resources: the role reader may only"
          + " read (member or admin needed)");
    }
  }

  /**
   * The project a new resource goes to: the request's {@code project_id} when an admin names one
   * (or a caller names its own), else {@code otherwise}.
   */
  static String project(Caller caller, String requested, String otherwise) {
    if (requested.isEmpty()) {
      return otherwise;
    }
    String project = Validate.projectId("project_id", requested);
    if (!caller.isAdmin() && !project.equals(caller.projectId())) {
      throw new ApiError(GrpcStatus.PERMISSION_DENIED, "project_id '" + project
          + "': only an admin may create resources in another project");
    }
    return project;
  }
}

package io.dvr.scheduler;

import io.dvr.common.grpc.GrpcErrors;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.ListHostsForRouterRequest;
import io.dvr.proto.v1.ListHostsForRouterResponse;
import io.dvr.proto.v1.SchedulerServiceService;
import io.vertx.core.Future;

/** The gRPC face of scheduler-svc: wraps {@link HostViews}, maps errors to gRPC statuses. */
final class SchedulerGrpc extends SchedulerServiceService {
  private final HostViews views;

  SchedulerGrpc(HostViews views) {
    this.views = views;
  }

  @Override
  public Future<HostRouters> getHostRouters(GetHostRoutersRequest request) {
    return GrpcErrors.toStatus(call(() -> views.getHostRouters(request)), "GetHostRouters");
  }

  @Override
  public Future<ListHostsForRouterResponse> listHostsForRouter(ListHostsForRouterRequest request) {
    return GrpcErrors.toStatus(call(() -> views.listHostsForRouter(request)), "ListHostsForRouter");
  }

  private static <T> Future<T> call(java.util.function.Supplier<Future<T>> work) {
    try {
      return work.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}

package io.dvr.gateway.api;

import io.dvr.common.grpc.ApiError;
import io.dvr.common.grpc.GrpcErrors;
import io.dvr.common.security.AgentCalls;
import io.dvr.proto.v1.AgentServiceGrpcService;
import io.dvr.proto.v1.AgentServiceService;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.Service;
import java.util.ArrayList;
import java.util.List;

/**
 * dvr.v1.AgentService as served: every method as generated, except {@code ReportAgentState}, which
 * only the agent of the reported host may call ({@link AgentCalls}: its client certificate names
 * that host). The check runs before the request reaches {@link AgentApi}.
 */
public final class AgentOnlyCalls implements Service {
  private final AgentServiceService api;
  private final AgentCalls rule;
  private final Service others;

  public AgentOnlyCalls(AgentServiceService api, AgentCalls rule) {
    this.api = api;
    this.rule = rule;
    List<ServiceMethod<?, ?>> methods = new ArrayList<>(AgentServiceGrpcService.all());
    methods.remove(AgentServiceGrpcService.ReportAgentState);
    this.others = AgentServiceGrpcService.builder(api).bind(methods).build();
  }

  @Override
  public ServiceName name() {
    return AgentServiceGrpcService.SERVICE_NAME;
  }

  @Override
  public com.google.protobuf.Descriptors.ServiceDescriptor descriptor() {
    return AgentServiceGrpcService.SERVICE_DESCRIPTOR;
  }

  @Override
  public void bind(GrpcServer server) {
    others.bind(server);
    server.callHandler(AgentServiceGrpcService.ReportAgentState, request -> request.handler(report -> {
      try {
        // The form of the host first: a malformed one is INVALID_ARGUMENT naming it, from anyone.
        if (report.getHost().isEmpty()) {
          throw ApiError.invalid("host", "", "is required");
        }
        Validate.host("host", report.getHost());
      } catch (ApiError e) {
        request.response().fail(GrpcErrors.toStatusException(e, "ReportAgentState"));
        return;
      }
      var refused = rule.refusal(request.connection(), "ReportAgentState", report.getHost());
      if (refused.isPresent()) {
        request.response().fail(refused.get());
        return;
      }
      api.reportAgentState(report).onComplete(request.response()::end, request.response()::fail);
    }));
  }
}

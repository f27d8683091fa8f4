package io.dvr.scheduler;

import com.google.protobuf.Descriptors;
import io.dvr.common.security.AgentCalls;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.SchedulerServiceGrpcService;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.Service;

/**
 * dvr.v1.SchedulerService as served on scheduler-svc's port: {@code GetHostRouters} (what a host
 * carries, with its ARP tables and peers' MACs) answers only the agent of that host, by its client
 * certificate ({@link AgentCalls}); {@code ListHostsForRouter} answers any TLS client.
 */
final class SchedulerGrpcService implements Service {
  private final SchedulerGrpc grpc;
  private final AgentCalls rule;

  SchedulerGrpcService(SchedulerGrpc grpc, AgentCalls rule) {
    this.grpc = grpc;
    this.rule = rule;
  }

  @Override
  public ServiceName name() {
    return SchedulerServiceGrpcService.SERVICE_NAME;
  }

  @Override
  public Descriptors.ServiceDescriptor descriptor() {
    return SchedulerServiceGrpcService.SERVICE_DESCRIPTOR;
  }

  @Override
  public void bind(GrpcServer server) {
    SchedulerServiceGrpcService.builder(grpc).bind(SchedulerServiceGrpcService.ListHostsForRouter).build().bind(server);
    rule.bind(server, SchedulerServiceGrpcService.GetHostRouters, GetHostRoutersRequest::getHost, grpc::getHostRouters);
  }
}

package io.dvr.cli;

import static io.dvr.proto.v1.ConvergenceServiceGrpcClient.GetHostStatus;
import static io.dvr.proto.v1.ConvergenceServiceGrpcClient.GetRouterStatus;

import io.dvr.proto.v1.AppliedStatus;
import io.dvr.proto.v1.GetHostStatusRequest;
import io.dvr.proto.v1.GetRouterStatusRequest;
import io.dvr.proto.v1.HostStatus;
import io.dvr.proto.v1.RouterStatus;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code router-status} and {@code host-status}: what the hosts applied (desired vs applied, errors). */
final class ConvergenceCommands {

  private ConvergenceCommands() {}

  @Command(name = "router-status",
      description = "Show, per host carrying a router, the change it must apply and what it applied, and its last error.")
  static final class Router extends CliCommand {
    @Parameters(paramLabel = "ROUTER", description = "Name or id of the router.")
    String router;

    @Override
    protected void run() {
      String id = find().router(router);
      RouterStatus status = call(GetRouterStatus, GetRouterStatusRequest.newBuilder().setRouterId(id).build());
      print().done(status, "router " + status.getRouterId() + ": " + Views.status(status.getStatus())
          + " (desired generation " + status.getDesiredGeneration() + ")");
      print().table("", table(status.getHostsList(), true));
    }
  }

  @Command(name = "host-status", description = "Show, per router a host holds, what it applied and its last error.")
  static final class Host extends CliCommand {
    @Parameters(paramLabel = "HOST", description = "The host, e.g. compute1.")
    String host;

    @Override
    protected void run() {
      HostStatus status = call(GetHostStatus, GetHostStatusRequest.newBuilder().setHost(host).build());
      print().list(status.getRoutersList(), table(status.getRoutersList(), false));
    }
  }

  static Table table(List<AppliedStatus> rows, boolean byHost) {
    Table t = new Table(byHost ? "host" : "router_id", "status", "in_sync", "desired", "applied", "snat",
        "last_applied", "last_error");
    rows.forEach(s -> t.row(byHost ? s.getHost() : s.getRouterId(), Views.status(s.getStatus()),
        Views.bool(s.getInSync()), Long.toString(s.getDesiredGeneration()), Long.toString(s.getAppliedGeneration()),
        Views.bool(s.getSnat()), s.hasLastAppliedAt() ? Views.time(s.getLastAppliedAt()) : "",
        s.getLastError()));
    return t;
  }
}

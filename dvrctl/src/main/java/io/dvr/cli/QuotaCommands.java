package io.dvr.cli;

import static io.dvr.proto.v1.QuotaServiceGrpcClient.GetQuota;
import static io.dvr.proto.v1.QuotaServiceGrpcClient.UpdateQuota;

import io.dvr.proto.v1.GetQuotaRequest;
import io.dvr.proto.v1.Quota;
import io.dvr.proto.v1.QuotaUsage;
import io.dvr.proto.v1.UpdateQuotaRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code quota-show} and {@code quota-update}: a project's limits and what it uses (-1: unlimited). */
final class QuotaCommands {

  private QuotaCommands() {}

  static Table table(QuotaUsage usage) {
    Quota limit = usage.getLimits();
    Quota used = usage.getInUse();
    return new Table("resource", "limit", "in_use")
        .row("network", limit.getNetwork(), used.getNetwork())
        .row("subnet", limit.getSubnet(), used.getSubnet())
        .row("port", limit.getPort(), used.getPort())
        .row("router", limit.getRouter(), used.getRouter())
        .row("floatingip", limit.getFloatingip(), used.getFloatingip());
  }

  @Command(name = "quota-show", description = "Show a project's quotas and use (default: the token's project).")
  static final class Show extends CliCommand {
    @Option(names = "--project", paramLabel = "PROJECT", description = "Another project's (admins only).")
    String project;

    @Override
    protected void run() {
      QuotaUsage usage = call(GetQuota, GetQuotaRequest.newBuilder().setProjectId(project == null ? "" : project).build());
      print().list(java.util.List.of(usage), table(usage));
    }
  }

  @Command(name = "quota-update", description = "Set a project's quotas (admins only); -1 is unlimited.")
  static final class Update extends CliCommand {
    @Parameters(paramLabel = "PROJECT", description = "The project.")
    String project;

    @Option(names = "--network", paramLabel = "N") Long network;
    @Option(names = "--subnet", paramLabel = "N") Long subnet;
    @Option(names = "--port", paramLabel = "N") Long port;
    @Option(names = "--router", paramLabel = "N") Long router;
    @Option(names = {"--floatingip", "--floating-ip"}, paramLabel = "N") Long floatingip;

    @Override
    protected void run() {
      UpdateQuotaRequest.Builder r = UpdateQuotaRequest.newBuilder().setProjectId(project);
      if (network != null) {
        r.setNetwork(network);
      }
      if (subnet != null) {
        r.setSubnet(subnet);
      }
      if (port != null) {
        r.setPort(port);
      }
      if (router != null) {
        r.setRouter(router);
      }
      if (floatingip != null) {
        r.setFloatingip(floatingip);
      }
      QuotaUsage usage = call(UpdateQuota, r.build());
      print().list(java.util.List.of(usage), table(usage));
    }
  }
}

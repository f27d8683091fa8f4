package io.dvr.cli;

import static io.dvr.proto.v1.ConvergenceServiceGrpcClient.WaitForChange;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dvr.proto.v1.WaitForChangeRequest;
import io.dvr.proto.v1.WaitForChangeResponse;
import io.vertx.grpc.common.ServiceMethod;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/**
 * A command that changes resources: with {@code --wait} it returns only once every host that must
 * act applied each change it made (as {@code ovn-nbctl --wait=hv}), or fails naming the hosts that
 * lag and their last error after {@code --wait-timeout}.
 */
abstract class MutatingCommand extends CliCommand {
  private static final Set<String> CHANGING = Set.of("Create", "Update", "Delete", "Add", "Remove", "Set", "Clear",
      "Associate", "Disassociate");

  @Option(names = "--wait", description = "Return once every host that must act applied the change.")
  boolean waitForHosts;

  @Option(names = "--wait-timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "How long --wait waits at most (default 30).")
  int waitTimeoutSeconds;

  /** The resources this command changed, by id, in order. */
  private final Set<String> changed = new LinkedHashSet<>();

  @Override
  <Req, Resp> Resp call(ServiceMethod<Resp, Req> method, Req request) {
    Resp reply = super.call(method, request);
    if (CHANGING.stream().anyMatch(method.methodName()::startsWith)) {
      String id = field(reply, "id");
      changed.add(!id.isEmpty() ? id : !field(request, "router_id").isEmpty() ? field(request, "router_id")
          : field(request, "id"));
    }
    return reply;
  }

  @Override
  void afterRun() {
    if (!waitForHosts) {
      return;
    }
    if (waitTimeoutSeconds <= 0 || waitTimeoutSeconds > 600) {
      throw usage("Invalid value for option '--wait-timeout': '" + waitTimeoutSeconds + "' is not 1-600 seconds");
    }
    long millis = TimeUnit.SECONDS.toMillis(waitTimeoutSeconds);
    for (String id : changed) {
      if (id.isEmpty()) {
        continue;
      }
      WaitForChangeResponse applied = api().call(WaitForChange, WaitForChangeRequest.newBuilder().setResourceId(id)
          .setTimeoutMs((int) millis).build(), millis + 5_000);
      spec.commandLine().getErr().println("Applied on " + (applied.getHostsCount() == 0 ? "no host (none must act)"
          : String.join(", ", applied.getHostsList())) + " in " + applied.getWaitedMs() + " ms.");
    }
  }

  private static String field(Object message, String name) {
    if (!(message instanceof Message m)) {
      return "";
    }
    FieldDescriptor f = m.getDescriptorForType().findFieldByName(name);
    return f != null && f.getType() == FieldDescriptor.Type.STRING ? (String) m.getField(f) : "";
  }
}

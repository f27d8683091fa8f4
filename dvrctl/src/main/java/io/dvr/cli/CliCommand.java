package io.dvr.cli;

import io.vertx.grpc.common.ServiceMethod;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every subcommand needs: the API, name resolution, the printer, usage errors. */
abstract class CliCommand implements Callable<Integer> {

  @ParentCommand
  Dvrctl root;

  @Spec
  CommandSpec spec;

  @Override
  public final Integer call() {
    run();
    afterRun();
    return 0;
  }

  /** After the work: a changing command waits for the hosts here when asked to. */
  void afterRun() {}

  /** Does the work; failures are thrown as {@link CliError} or {@link ParameterException}. */
  protected abstract void run();

  <Req, Resp> Resp call(ServiceMethod<Resp, Req> method, Req request) {
    return root.api().call(method, request);
  }

  Api api() {
    return root.api();
  }

  Resolver find() {
    return new Resolver(root.api());
  }

  Printer print() {
    return root.printer();
  }

  ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}

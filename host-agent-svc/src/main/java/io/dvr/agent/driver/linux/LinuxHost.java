package io.dvr.agent.driver.linux;

import io.dvr.agent.model.HostState;
import io.dvr.agent.reconcile.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real host: executes plans and reads its state back, through a {@link CommandRunner} (which
 * says where commands run and bounds how many run at once). Blocking: call it from a worker
 * thread, never from the runner's own pool.
 */
public final class LinuxHost {
  private static final Logger LOG = LoggerFactory.getLogger(LinuxHost.class);

  private final String host;
  private final CommandRunner runner;
  private final LinuxOptions options;
  private final OperationCompiler compiler;
  private final LaneRunner lanes;
  private final KernelReader reader;

  public LinuxHost(String host, CommandRunner runner, LinuxOptions options) {
    this.host = host;
    this.runner = runner;
    this.options = options;
    this.compiler = new OperationCompiler(runner, options);
    this.lanes = new LaneRunner(runner, options);
    this.reader = new KernelReader(runner, options);
  }

  public String host() {
    return host;
  }

  public CommandRunner runner() {
    return runner;
  }

  public LinuxOptions options() {
    return options;
  }

  /**
   * Executes the plan: lanes in parallel on the runner's pool, each lane's operations in order,
   * then (with batching) the OVS port changes of the lanes in one ovs-vsctl transaction. Every
   * lane runs to its end or first failure; the first failure is thrown with the others attached
   * as suppressed.
   */
  public void execute(Plan plan) {
    if (plan.isEmpty()) {
      return;
    }
    List<CompletableFuture<List<String>>> running = new ArrayList<>();
    for (Plan.Lane lane : plan.lanes()) {
      List<Action> actions = compiler.compile(lane.operations());
      running.add(CompletableFuture.supplyAsync(() -> lanes.run(actions), runner.pool()));
    }
    RuntimeException first = null;
    List<String> ovs = new ArrayList<>();
    for (CompletableFuture<List<String>> f : running) {
      try {
        ovs.addAll(join(f));
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    // The OVS ports of the lanes that ran through, in one transaction (also when another lane failed).
    if (!ovs.isEmpty()) {
      try {
        LaneRunner.vsctl(runner, options, ovs);
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      LOG.warn("host {}: plan of {} operations failed: {}", host, plan.size(), first.getMessage());
      throw first;
    }
  }

  /** The host's state: namespaces (ours in full), and the flows of the configured bridges. */
  public HostState observe() {
    return reader.observe();
  }

  /** Waits for a pool task and rethrows its failure as it was thrown. */
  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a command", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(cause);
    }
  }
}

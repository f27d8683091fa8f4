package io.dvr.agent.driver.linux;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the actions of one lane in order. Consecutive ip lines of one namespace go to one {@code ip
 * -force -batch -}: ip goes on after a failing line and names each one, so a tolerated error ("already
 * so") costs no second process; the first error that is not tolerated fails the lane. With batching,
 * ovs-vsctl commands are only collected for the plan's one OVS transaction, so they do not break a batch.
 */
final class LaneRunner {
  private static final Pattern FAILED_LINE = Pattern.compile("Command failed -:(\\d+)");

  private final CommandRunner runner;
  private final LinuxOptions options;
  /** Small batches of a namespace go to its long-lived ip session; null: every batch is a process. */
  private final IpSessions sessions;
  /** A bridge's flow bundle over its OpenFlow connection or as a process. */
  private final FlowInstaller flows;

  LaneRunner(CommandRunner runner, LinuxOptions options) {
    this(runner, options, null);
  }

  LaneRunner(CommandRunner runner, LinuxOptions options, IpSessions sessions) {
    this(runner, options, sessions, new FlowInstaller("", runner, options, null));
  }

  LaneRunner(CommandRunner runner, LinuxOptions options, IpSessions sessions, FlowInstaller flows) {
    this.runner = runner;
    this.options = options;
    this.sessions = sessions;
    this.flows = flows;
  }

  /**
   * Runs the lane; returns the ovs-vsctl commands it left for the plan's one OVS transaction
   * (with batching; without, they ran in the lane).
   */
  List<String> run(List<Action> actions) {
    List<String> ovs = new ArrayList<>();
    run(actions, ovs);
    return ovs;
  }

  private void run(List<Action> actions, List<String> ovs) {
    List<Action.Ip> batch = new ArrayList<>();
    for (Action a : actions) {
      if (a instanceof Action.Ip ip && (batch.isEmpty() || batch.get(0).namespace().equals(ip.namespace()))) {
        batch.add(ip);
        continue;
      }
      if (a instanceof Action.Vsctl p && options.batch()) {
        ovs.addAll(p.commands());
        continue;
      }
      flush(batch);
      if (a instanceof Action.Ip ip) {
        batch.add(ip);
      } else if (a instanceof Action.Exec e) {
        exec(e);
      } else if (a instanceof Action.Flows f) {
        flows.install(f);
      } else if (a instanceof Action.Deferred d) {
        run(d.actions().get(), ovs);
      } else if (a instanceof Action.Vsctl p) {
        vsctl(runner, options, p.commands()); // without batching: each at once
      }
    }
    flush(batch);
  }

  /** One ovs-vsctl transaction of the given {@code -- ...} commands. */
  static void vsctl(CommandRunner runner, LinuxOptions options, List<String> commands) {
    List<String> argv = new ArrayList<>(List.of("ovs-vsctl"));
    argv.addAll(commands);
    runner.run(Command.of(argv).withTimeout(options.timeout()));
  }

  private void exec(Action.Exec e) {
    CommandResult r = runner.exec(e.command());
    if (!r.ok() && !tolerated(r.stderr(), e.tolerated())) {
      throw new CommandFailedException(r.command(), r.exitCode(), r.stderr(), "");
    }
  }

  private void flush(List<Action.Ip> batch) {
    if (sessions != null && options.batch() && IpSessions.takes(batch) && sessions.run(batch)) {
      batch.clear();
      return;
    }
    if (!options.batch()) {
      batch.forEach(this::single);
      batch.clear();
      return;
    }
    if (batch.isEmpty()) {
      return;
    }
    List<String> argv = new ArrayList<>(List.of("ip"));
    String ns = batch.get(0).namespace();
    if (!ns.isEmpty()) {
      argv.addAll(List.of("-n", ns));
    }
    argv.addAll(List.of("-force", "-batch", "-"));
    String input = String.join("\n", batch.stream().map(Action.Ip::line).toList()) + "\n";
    CommandResult r = runner.exec(Command.of(argv).withStdin(input).withTimeout(options.timeout()));
    if (!r.ok()) {
      checkFailures(r, batch);
    }
    batch.clear();
  }

  /**
   * Every line that failed in a forced batch: stderr holds each failure's messages followed by
   * {@code Command failed -:N}. Throws for the first one not tolerated (or for a failure ip did not
   * name: it could not run at all).
   */
  private static void checkFailures(CommandResult r, List<Action.Ip> batch) {
    Matcher m = FAILED_LINE.matcher(r.stderr());
    int start = 0;
    boolean named = false;
    while (m.find()) {
      named = true;
      int failed = Integer.parseInt(m.group(1)) - 1;
      String messages = r.stderr().substring(start, m.start());
      start = m.end();
      if (failed < 0 || failed >= batch.size() || !tolerated(messages, batch.get(failed).tolerated())) {
        throw new CommandFailedException(r.command(), r.exitCode(), r.stderr(), around(batch, failed));
      }
    }
    if (!named) {
      throw new CommandFailedException(r.command(), r.exitCode(), r.stderr(), around(batch, -1));
    }
  }

  /** One ip line as its own {@code ip [-n NS] ...} process (options without batching). */
  private void single(Action.Ip ip) {
    List<String> argv = new ArrayList<>(List.of("ip"));
    if (!ip.namespace().isEmpty()) {
      argv.addAll(List.of("-n", ip.namespace()));
    }
    argv.addAll(ip.words());
    exec(new Action.Exec(Command.of(argv).withTimeout(options.timeout()), ip.tolerated()));
  }

  private static boolean tolerated(String stderr, List<String> tolerated) {
    return tolerated.stream().anyMatch(stderr::contains);
  }

  /** The failing batch line with one line either side, numbered as ip numbers them. */
  private static String around(List<Action.Ip> lines, int failed) {
    if (failed < 0) {
      return String.join("\n", lines.stream().limit(3).map(Action.Ip::line).toList());
    }
    StringBuilder s = new StringBuilder();
    for (int i = Math.max(0, failed - 1); i <= Math.min(lines.size() - 1, failed + 1); i++) {
      s.append(i == failed ? "> " : "  ").append(i + 1).append(": ").append(lines.get(i).line()).append('\n');
    }
    return s.toString();
  }
}

package io.dvr.agent.driver.linux;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the actions of one lane in order. Consecutive ip lines of one namespace go to one {@code ip
 * -batch -}; when the batch stops at a line whose error is tolerated, the rest of the batch is sent
 * again from the next line.
 */
final class LaneRunner {
  private static final Pattern FAILED_LINE = Pattern.compile("Command failed -:(\\d+)");

  private final CommandRunner runner;
  private final LinuxOptions options;
  /** Small batches of a namespace go to its long-lived ip session; null: every batch is a process. */
  private final IpSessions sessions;

  LaneRunner(CommandRunner runner, LinuxOptions options) {
    this(runner, options, null);
  }

  LaneRunner(CommandRunner runner, LinuxOptions options, IpSessions sessions) {
    this.runner = runner;
    this.options = options;
    this.sessions = sessions;
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
      flush(batch);
      if (a instanceof Action.Ip ip) {
        batch.add(ip);
      } else if (a instanceof Action.Exec e) {
        exec(e);
      } else if (a instanceof Action.Deferred d) {
        run(d.actions().get(), ovs);
      } else if (a instanceof Action.Vsctl p) {
        if (options.batch()) {
          ovs.addAll(p.commands());
        } else {
          vsctl(runner, options, p.commands());
        }
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
    int from = 0;
    while (from < batch.size()) {
      List<Action.Ip> rest = batch.subList(from, batch.size());
      List<String> argv = new ArrayList<>(List.of("ip"));
      String ns = rest.get(0).namespace();
      if (!ns.isEmpty()) {
        argv.addAll(List.of("-n", ns));
      }
      argv.addAll(List.of("-batch", "-"));
      String input = String.join("\n", rest.stream().map(Action.Ip::line).toList()) + "\n";
      CommandResult r = runner.exec(Command.of(argv).withStdin(input).withTimeout(options.timeout()));
      if (r.ok()) {
        break;
      }
      Matcher m = FAILED_LINE.matcher(r.stderr());
      int failed = m.find() ? Integer.parseInt(m.group(1)) - 1 : -1;
      if (failed < 0 || failed >= rest.size() || !tolerated(r.stderr(), rest.get(failed).tolerated())) {
        throw new CommandFailedException(r.command(), r.exitCode(), r.stderr(), around(rest, failed));
      }
      from += failed + 1;
    }
    batch.clear();
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

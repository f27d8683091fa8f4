package io.dvr.agent.driver.linux;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One process to run: its argv (never a shell string), what to feed on stdin, and how long it may
 * take. Arguments are checked when the command is made, so a bad value fails before anything runs.
 */
public record Command(List<String> argv, String stdin, Duration timeout) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  public Command {
    Objects.requireNonNull(timeout, "timeout");
    if (argv == null || argv.isEmpty()) {
      throw new IllegalArgumentException("a command needs a program");
    }
    for (String a : argv) {
      if (a == null || a.indexOf('\0') >= 0 || a.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("invalid argument " + (a == null ? "null" : "'" + a + "'") + " in " + argv);
      }
    }
    argv = List.copyOf(argv);
    stdin = stdin == null ? "" : stdin;
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("a command timeout must be positive: " + timeout);
    }
  }

  public static Command of(String... argv) {
    return new Command(List.of(argv), "", DEFAULT_TIMEOUT);
  }

  public static Command of(List<String> argv) {
    return new Command(argv, "", DEFAULT_TIMEOUT);
  }

  public Command withStdin(String input) {
    return new Command(argv, input, timeout);
  }

  public Command withTimeout(Duration t) {
    return new Command(argv, stdin, t);
  }

  /** This command run through {@code prefix} (nsenter into a lab host, ip netns exec ...). */
  public Command prefixed(List<String> prefix) {
    if (prefix.isEmpty()) {
      return this;
    }
    List<String> all = new ArrayList<>(prefix);
    all.addAll(argv);
    return new Command(all, stdin, timeout);
  }

  /** The command line for messages, arguments with odd characters quoted. */
  public String line() {
    return argv.stream().map(Command::quote).collect(Collectors.joining(" "));
  }

  private static String quote(String a) {
    return !a.isEmpty() && a.chars().allMatch(c -> c > ' ' && c != '\'' && c != '"' && c != '\\')
        ? a : "'" + a.replace("'", "'\\''") + "'";
  }

  @Override
  public String toString() {
    return line();
  }
}

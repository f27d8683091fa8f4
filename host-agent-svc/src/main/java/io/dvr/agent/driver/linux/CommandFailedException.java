package io.dvr.agent.driver.linux;

import java.util.List;

/**
 * A process that failed: the command line, exit code (-1 when it timed out or did not start),
 * stderr lines and, for batches and restores, the input lines around the failure.
 */
public final class CommandFailedException extends RuntimeException {
  private final String commandLine;
  private final int exitCode;
  private final List<String> stderrLines;
  private final String context;

  public CommandFailedException(Command command, int exitCode, String stderr, String context) {
    super(message(command, exitCode, stderr, context));
    this.commandLine = command.line();
    this.exitCode = exitCode;
    this.stderrLines = stderr.lines().toList();
    this.context = context;
  }

  private static String message(Command command, int exitCode, String stderr, String context) {
    StringBuilder s = new StringBuilder("command failed (exit ").append(exitCode).append("): ").append(command.line());
    if (!stderr.isBlank()) {
      s.append("\n  stderr: ").append(String.join("\n          ", stderr.strip().lines().toList()));
    }
    if (!context.isBlank()) {
      s.append("\n  input:  ").append(String.join("\n          ", context.strip().lines().toList()));
    }
    return s.toString();
  }

  public String commandLine() {
    return commandLine;
  }

  public int exitCode() {
    return exitCode;
  }

  public List<String> stderrLines() {
    return stderrLines;
  }

  /** The input lines around the failing one (batch and restore input), or empty. */
  public String context() {
    return context;
  }
}

package io.dvr.agent.driver.linux;

import java.time.Duration;
import java.util.List;

/** What a finished process left: exit code, stdout, stderr, and how long it ran. */
public record CommandResult(Command command, int exitCode, String stdout, String stderr, Duration took) {
  public boolean ok() {
    return exitCode == 0;
  }

  public List<String> stderrLines() {
    return stderr.lines().toList();
  }

  /** This result as a failure, or itself when the process succeeded. */
  public CommandResult orThrow() {
    if (!ok()) {
      throw new CommandFailedException(command, exitCode, stderr, "");
    }
    return this;
  }
}

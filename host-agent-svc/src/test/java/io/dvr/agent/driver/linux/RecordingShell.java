package io.dvr.agent.driver.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A lab host's shell that records each command it starts (the first 200 characters, through a
 * small script in front of the real command), so that a test can count the processes of a plan.
 */
final class RecordingShell implements AutoCloseable {
  private final Path dir;
  private final Path log;
  private final Path script;
  private final HostShell shell;

  RecordingShell(HostShell inner) throws IOException {
    dir = Files.createTempDirectory("dvr-record-");
    log = dir.resolve("commands.log");
    script = dir.resolve("record.sh");
    Files.writeString(script, "s=\"$*\"; printf '%s\\n' \"${s:0:200}\" >> " + log + "\nexec \"$@\"\n");
    List<String> prefix = new ArrayList<>(inner.prefix());
    prefix.addAll(List.of("bash", script.toString()));
    shell = new HostShell(prefix);
  }

  HostShell shell() {
    return shell;
  }

  /** The commands started so far, without the gratuitous ARPs sent in the background after a plan. */
  List<String> commands() {
    try {
      if (!Files.exists(log)) {
        return List.of();
      }
      return Files.readAllLines(log).stream().filter(c -> !c.contains("arping") && !c.contains("ip_nonlocal_bind"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    Files.deleteIfExists(log);
    Files.deleteIfExists(script);
    Files.deleteIfExists(dir);
  }
}

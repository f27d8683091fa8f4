package io.dvr.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the supervisor takes for a dead embedded server: a postmaster killed with SIGKILL is, a
 * running one is not, and neither is one stopped cleanly (as the JVM's exit stops it: starting it
 * again then would leave a server behind the process).
 */
class EmbeddedSupervisorTest {
  @TempDir Path dir;

  @Test
  @Timeout(120)
  @DisplayName("a killed postmaster is taken for dead; a running or cleanly stopped one is not")
  void tellsDeathFromStop() throws Exception {
    Path data = dir.resolve("pg");
    EmbeddedServer server = EmbeddedServer.start(data, 0);
    EmbeddedSupervisor supervisor = new EmbeddedSupervisor(data, server);
    assertThat(supervisor.postmasterDied()).as("running").isFalse();

    long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
    postmaster.destroyForcibly();
    postmaster.onExit().get(30, TimeUnit.SECONDS);
    assertThat(supervisor.postmasterDied()).as("killed").isTrue();
    supervisor.close();

    EmbeddedServer again = EmbeddedServer.start(data, server.port());
    EmbeddedSupervisor second = new EmbeddedSupervisor(data, again);
    assertThat(second.postmasterDied()).as("started again").isFalse();
    second.close();
    assertThat(second.postmasterDied()).as("stopped cleanly").isFalse();
  }
}

package io.dvr.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The embedded server starts on a data directory that a killed owner or a stale postmaster.pid left behind")
class LeftoverServerTest {
  @TempDir Path dir;
  private final List<ProcessHandle> leftovers = new ArrayList<>();

  @AfterEach
  void noServerLeftRunning() {
    leftovers.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroy);
  }

  @Test
  @DisplayName("after kill -9 of the JVM that owned it, the server lives on; a new start at once stops it and comes up within seconds with the data")
  void killedOwner() throws Exception {
    Path dataDir = dir.resolve("pg");
    Process owner = startOwner(dataDir, dir.resolve("owner.log"));
    try {
      awaitReady(owner, dir.resolve("owner.log"), Duration.ofSeconds(90));
      long postgresPid = postmasterPid(dataDir).orElseThrow();
      ProcessHandle postgres = ProcessHandle.of(postgresPid).orElseThrow();
      leftovers.add(postgres);

      owner.destroyForcibly();
      assertThat(owner.waitFor(10, TimeUnit.SECONDS)).as("the owner JVM died").isTrue();
      assertThat(postgres.isAlive()).as("its PostgreSQL outlives it, holding the data directory").isTrue();

      long start = System.nanoTime();
      try (EmbeddedStore again = EmbeddedStore.open(dataDir)) {
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).as("start after kill -9").isLessThan(Duration.ofSeconds(20));
        assertThat(postgres.isAlive()).as("the leftover server was stopped").isFalse();
        String note = EmbeddedStore.await(again.db.pool().query("SELECT note FROM owner_test").execute())
            .iterator().next().getString(0);
        assertThat(note).isEqualTo("written before kill -9");
      }
    } finally {
      owner.destroyForcibly();
    }
  }

  @Test
  @DisplayName("a stale postmaster.pid naming a live process that is no PostgreSQL server does not block the start")
  void stalePidFile() throws Exception {
    Path dataDir = dir.resolve("pg");
    EmbeddedStore.open(dataDir).close();
    // As after a crash of the machine: the file stayed, and its pid now belongs to another process
    // (not this JVM: PostgreSQL passes over the pid of its launcher's parent by itself).
    Process other = new ProcessBuilder("sleep", "300").start();
    try {
      Files.writeString(dataDir.resolve(LeftoverServer.PID_FILE), other.pid() + "\n" + dataDir
          + "\n1700000000\n5432\n/tmp\n127.0.0.1\n  5432001    32768\nready   \n");

      long start = System.nanoTime();
      try (EmbeddedStore again = EmbeddedStore.open(dataDir)) {
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(EmbeddedStore.await(again.db.pool().query("SELECT 1").execute()).size()).isEqualTo(1);
      }
      assertThat(other.isAlive()).as("the process the stale file named is left alone").isTrue();
    } finally {
      other.destroyForcibly();
    }
  }

  private static Process startOwner(Path dataDir, Path log) throws IOException {
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> argv = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath, EmbeddedServerOwner.class.getName(),
        dataDir.toString());
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("DVR_"));
    return builder.start();
  }

  /** Waits for the owner's "ready" line (its server up, its row written), or fails with its log. */
  private static void awaitReady(Process owner, Path log, Duration atMost) throws Exception {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (System.nanoTime() < deadline) {
      String out = Files.exists(log) ? Files.readString(log) : "";
      if (out.lines().anyMatch("ready"::equals)) {
        return;
      }
      if (!owner.isAlive()) {
        throw new AssertionError("the owner JVM exited " + owner.exitValue() + ":\n" + out);
      }
      owner.waitFor(100, TimeUnit.MILLISECONDS);
    }
    throw new AssertionError("the owner JVM was not ready within " + atMost + ":\n" + Files.readString(log));
  }

  private static Optional<Long> postmasterPid(Path dataDir) throws IOException {
    Path file = dataDir.resolve(LeftoverServer.PID_FILE);
    return Files.exists(file) ? Optional.of(Long.parseLong(Files.readAllLines(file).get(0).trim())) : Optional.empty();
  }
}

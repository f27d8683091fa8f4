package io.dvr.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay-only jar as packaged ({@code host-agent-svc-*-relayed.jar}, after {@code package}:
 * failsafe): it carries no Hazelcast, starts as a user runs it with {@code agent.relays}, and
 * refuses to start without it. (Its agent syncing through a real relay: lab's RelayedAgentJvmTest,
 * on the same class path.)
 */
class RelayedJarIT {
  @TempDir Path dir;

  private static Path jar() throws IOException {
    try (var files = Files.list(Path.of("target"))) {
      return files.filter(p -> p.getFileName().toString().matches("host-agent-svc-.*-relayed\\.jar")).findFirst()
          .orElseThrow(() -> new AssertionError("no target/host-agent-svc-*-relayed.jar: mvn package makes it"));
    }
  }

  @Test
  @DisplayName("the relayed jar holds no class of Hazelcast or of a Vert.x cluster manager, and lists no cluster manager as a Vert.x provider")
  void noHazelcastInside() throws IOException {
    try (JarFile jar = new JarFile(jar().toFile())) {
      assertThat(jar.stream().map(e -> e.getName())
          .filter(n -> n.startsWith("com/hazelcast/") || n.startsWith("io/vertx/spi/cluster/"))).isEmpty();
      assertThat(jar.getEntry("io/dvr/agent/Main.class")).isNotNull();
      String providers = new String(jar.getInputStream(jar.getEntry("META-INF/services/io.vertx.core.spi.VertxServiceProvider"))
          .readAllBytes(), StandardCharsets.UTF_8);
      assertThat(providers).doesNotContain("io.vertx.spi.cluster.");
    }
  }

  @Test
  @DisplayName("java -jar the relayed jar with agent.relays starts its agent and tries the relay; without agent.relays it exits 1 naming it")
  void startsOnlyRelayed() throws Exception {
    Path classes = dir.resolve("classes.log");
    // No relay listens at 127.0.0.1:1: the agent keeps trying it, which is all a started agent can show here.
    Process relayed = start(List.of("-Xlog:class+load:file=" + classes), Map.of("DVR_AGENT_RELAYS", "127.0.0.1:1"), "relayed");
    try {
      Awaitility.await("the agent tries its relay").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
          .untilAsserted(() -> {
            assertThat(relayed.isAlive()).as("the agent exited; its log:\n%s", log("relayed")).isTrue();
            assertThat(log("relayed")).contains("host probe: relay 127.0.0.1:1: cannot reach it");
          });
    } finally {
      relayed.destroy();
      relayed.waitFor(20, TimeUnit.SECONDS);
    }
    assertThat(Files.readAllLines(classes)).noneMatch(l -> l.contains(" com.hazelcast."));

    Process unrelayed = start(List.of(), Map.of("DVR_CLUSTER_ENABLED", "true"), "unrelayed");
    assertThat(unrelayed.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(unrelayed.exitValue()).isEqualTo(1);
    assertThat(log("unrelayed")).contains("setting agent.relays (DVR_AGENT_RELAYS) is not set, but this agent's "
        + "class path has no Hazelcast");
  }

  private Process start(List<String> jvmFlags, Map<String, String> env, String name) throws IOException {
    List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    argv.addAll(jvmFlags);
    argv.addAll(List.of("-jar", jar().toString()));
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("DVR_"));
    builder.environment().putAll(Map.of("DVR_HOST_NAME", "probe", "DVR_INSECURE", "true", "DVR_HOST_AGENT_HOST",
        "127.0.0.1", "DVR_HOST_AGENT_PORT", "0", "DVR_API_ADDRESS", "127.0.0.1:1"));
    builder.environment().putAll(env);
    return builder.start();
  }

  private String log(String name) throws IOException {
    Path log = dir.resolve(name + ".log");
    return Files.exists(log) ? Files.readString(log) : "";
  }
}

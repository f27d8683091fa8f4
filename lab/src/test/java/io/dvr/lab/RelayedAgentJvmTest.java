package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.config.Settings;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.SeedTopology;
import io.dvr.gateway.TestSecurity;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.PortServiceGrpcClient;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host agent in its own JVM as a user runs it ({@code io.dvr.agent.Main}, {@code DVR_*}
 * settings) attached to the lab's relay: it syncs its host's router and loads no Hazelcast class;
 * on a class path without Hazelcast (what the relay-only jar, {@code -relayed}, carries) it does the
 * same, and without {@code agent.relays} it refuses to start, naming the setting.
 */
class RelayedAgentJvmTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);
  @TempDir static Path dir;
  static LabFixture f;
  static SeedTopology seed;

  @BeforeAll
  static void lab() {
    f = LabFixture.start(dir.resolve("lab"), Map.of("agent.resync-seconds", "3600"));
    ApiClient.await(f.lab.startRelay());
    seed = SeedTopology.build(f.api);
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  @Test
  @DisplayName("an agent JVM on the full class path, attached to the relay, syncs its router and loads no class of Hazelcast")
  void loadsNoHazelcast() throws Exception {
    Path classes = dir.resolve("classes-compute3.log");
    Agent agent = Agent.start("compute3", "81.1.180.40", testClassPath(), List.of("-Xlog:class+load:file=" + classes), true);
    try {
      agent.awaitSynced();
      List<String> loaded = Files.readAllLines(classes, StandardCharsets.UTF_8);
      assertThat(loaded).as("the class log").anyMatch(l -> l.contains(" io.dvr.agent.link.RelayLink "));
      assertThat(loaded.stream().filter(l -> l.contains(" com.hazelcast.") || l.contains(" io.vertx.spi.cluster.")))
          .as("Hazelcast classes the agent loaded").isEmpty();
    } finally {
      agent.stop();
    }
  }

  @Test
  @DisplayName("without Hazelcast on its class path the agent attached to the relay syncs its router; without agent.relays it refuses to start, naming it")
  void runsWithoutHazelcast() throws Exception {
    List<String> withoutHazelcast = testClassPath().stream()
        .filter(e -> !Path.of(e).getFileName().toString().matches("(vertx-)?hazelcast-.*\\.jar")).toList();
    assertThat(withoutHazelcast).as("the class path without Hazelcast's jars").hasSize(testClassPath().size() - 2);
    Agent agent = Agent.start("compute4", "81.1.180.41", withoutHazelcast, List.of(), true);
    try {
      agent.awaitSynced();
    } finally {
      agent.stop();
    }

    Agent unrelayed = Agent.start("compute5", "81.1.180.42", withoutHazelcast, List.of(), false);
    assertThat(unrelayed.process.waitFor(60, TimeUnit.SECONDS)).as("the agent exited; its log:\n%s", unrelayed.log())
        .isTrue();
    assertThat(unrelayed.process.exitValue()).isEqualTo(1);
    assertThat(unrelayed.log()).contains("host-agent cannot start: setting agent.relays (DVR_AGENT_RELAYS) is not set, "
        + "but this agent's class path has no Hazelcast");
  }

  private static List<String> testClassPath() {
    String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Arrays.stream(path.split(File.pathSeparator)).filter(e -> !e.isBlank()).toList();
  }

  /** An agent JVM of a host with one VM port bound to it (made before it starts: its first fetch brings the router). */
  private record Agent(String host, Process process, Path logFile) {
    static Agent start(String host, String vmIp, List<String> classPath, List<String> jvmFlags, boolean relayed)
        throws IOException {
      Settings settings = Settings.of(Map.of("security.dir", TestSecurity.dir().toString()));
      LabSecurity.addHost(settings, host);
      f.api.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(seed.net1.getId())
          .setName("vm-" + host).setDeviceOwner("compute:nova").setBindingHost(host)
          .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(seed.sub81.getId()).setIpAddress(vmIp)).build());
      List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
      argv.addAll(jvmFlags);
      argv.addAll(List.of("-cp", String.join(File.pathSeparator, classPath), "io.dvr.agent.Main"));
      Map<String, String> env = new HashMap<>(Map.of("DVR_HOST_NAME", host, "DVR_AGENT_MODE", "dvr",
          "DVR_AGENT_TUNNEL_IP", "10.0.0.40", "DVR_HOST_AGENT_HOST", "127.0.0.1", "DVR_HOST_AGENT_PORT", "0",
          "DVR_API_ADDRESS", "127.0.0.1:" + f.lab.apiPort(), "DVR_AGENT_RESYNC_SECONDS", "3600",
          "DVR_SECURITY_DIR", TestSecurity.dir().toString()));
      if (relayed) {
        env.put("DVR_AGENT_RELAYS", "127.0.0.1:" + f.lab.relayPort());
      }
      Path log = dir.resolve("agent-" + host + ".log");
      ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().keySet().removeIf(k -> k.startsWith("DVR_"));
      builder.environment().putAll(env);
      return new Agent(host, builder.start(), log);
    }

    String log() throws IOException {
      return Files.exists(logFile) ? Files.readString(logFile) : "";
    }

    void awaitSynced() {
      Awaitility.await(host + " attached to the relay and synced").atMost(LIMIT).pollInterval(Duration.ofMillis(100))
          .untilAsserted(() -> {
            assertThat(process.isAlive()).as("the agent of %s exited; its log:\n%s", host, log()).isTrue();
            assertThat(log()).contains("host " + host + ": attached to relay")
                .containsPattern("host " + host + ": applied \\d+ operations for 1 routers");
          });
      assertThat(f.lab.relayHosts()).contains(host);
    }

    void stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }
}

package io.dvr.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process on a local event bus (a host agent attached to a relay) loads no Hazelcast class and
 * runs from a class path without Hazelcast; with {@code cluster.enabled} and no Hazelcast it is
 * refused with the setting named. Each case is a JVM of its own ({@link LocalVertxMain}): this
 * one has loaded Hazelcast for other tests, and which classes a JVM loaded is its own to say.
 */
class LocalVertxTest {
  @TempDir Path dir;

  @Test
  @DisplayName("a local Vert.x built as every service builds it loads no class of Hazelcast nor of Vert.x's Hazelcast cluster manager")
  void localBusLoadsNoHazelcast() throws Exception {
    Path classes = dir.resolve("classes.log");
    String out = run(testClassPath(), List.of("-Xlog:class+load:file=" + classes), "cluster.enabled=false");
    assertThat(out).contains("vertx up: round");
    List<String> loaded = Files.readAllLines(classes, StandardCharsets.UTF_8);
    assertThat(loaded).as("the class log").anyMatch(l -> l.contains(" io.vertx.core.impl.VertxImpl "));
    assertThat(loaded.stream().filter(l -> l.contains(" com.hazelcast.") || l.contains(" io.vertx.spi.cluster.")))
        .as("Hazelcast classes loaded").isEmpty();
  }

  @Test
  @DisplayName("without Hazelcast on its class path a process runs its local bus, and is refused the cluster naming cluster.enabled")
  void withoutHazelcastOnTheClassPath() throws Exception {
    List<String> withoutHazelcast = testClassPath().stream()
        .filter(e -> !Path.of(e).getFileName().toString().matches("(vertx-)?hazelcast-.*\\.jar")).toList();
    assertThat(withoutHazelcast).as("the class path without Hazelcast's jars").hasSize(testClassPath().size() - 2);

    assertThat(run(withoutHazelcast, List.of(), "cluster.enabled=false")).contains("vertx up: round");
    assertThat(run(withoutHazelcast, List.of(), "cluster.enabled=true", "insecure=true"))
        .contains("vertx refused: setting cluster.enabled (DVR_CLUSTER_ENABLED) is true, but this process's class path "
            + "has no Hazelcast (io.vertx:vertx-hazelcast): it cannot join the cluster");
  }

  private static List<String> testClassPath() {
    String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Arrays.stream(path.split(File.pathSeparator)).filter(e -> !e.isBlank()).toList();
  }

  /** What {@link LocalVertxMain} printed (stdout and stderr), run on this class path with these settings. */
  private String run(List<String> classPath, List<String> jvmFlags, String... settings)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    argv.addAll(jvmFlags);
    argv.addAll(List.of("-cp", String.join(File.pathSeparator, classPath), LocalVertxMain.class.getName()));
    argv.addAll(List.of(settings));
    Path output = dir.resolve("out-" + System.nanoTime() + ".log");
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("DVR_"));
    Process process = builder.start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    String text = Files.readString(output);
    assertThat(process.exitValue()).as("exit status; output:\n%s", text).isZero();
    return text;
  }
}

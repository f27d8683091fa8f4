package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.cli.Dvrctl;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command, as a user runs it: {@code java -jar lab/target/dvr-lab.jar}, the packaged
 * jar in its own JVM, secure by default (its own CA and admin token), then dvrctl against it. Runs
 * after packaging (failsafe), since the jar's contents are what it checks: a dependency left out of
 * the jar is found here and nowhere else.
 */
@DisplayName("java -jar dvr-lab.jar starts the secure lab with the seed, and dvrctl reads it with the lab's CA and token")
class LabJarIT {
  private static final Pattern UP = Pattern.compile("all-in-one lab up: dvr.v1 API on port (\\d+)");
  private static final Duration START_LIMIT = Duration.ofSeconds(180);

  @TempDir Path home;
  private Process lab;
  private final StringBuffer output = new StringBuffer();

  @AfterEach
  void stopLab() throws Exception {
    if (lab == null) {
      return;
    }
    List<ProcessHandle> children = lab.descendants().toList();
    lab.destroy(); // SIGTERM: the lab's shutdown hook stops its services and the embedded PostgreSQL
    if (!lab.waitFor(60, TimeUnit.SECONDS)) {
      lab.destroyForcibly();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }

  @Test
  @DisplayName("the jar starts, loads the seed, and its three agents answer alive over TLS with the admin token")
  void jarRunsTheLab() throws Exception {
    Path jar = Path.of("target", "dvr-lab.jar");
    assertThat(jar).as("the packaged lab (mvn package makes it)").exists();
    Path security = home.resolve("security");
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString()).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("DVR_"));
    env.putAll(Map.of("DVR_DB_DATA_DIR", home.resolve("pgdata").toString(), "DVR_SECURITY_DIR", security.toString(),
        "DVR_LAB_SEED", "true", "DVR_API_PORT", "0", "DVR_REST_PORT", "0", "DVR_SCHEDULER_PORT", "0",
        "DVR_MAC_ALLOCATOR_PORT", "0", "DVR_ARP_PORT", "0"));
    env.putAll(Map.of("DVR_LAB_NETWORK_PORT", "0", "DVR_LAB_COMPUTE1_PORT", "0", "DVR_LAB_COMPUTE2_PORT", "0"));
    lab = builder.start();
    Thread reader = new Thread(this::readOutput, "lab-output");
    reader.setDaemon(true);
    reader.start();

    Awaitility.await().atMost(START_LIMIT).pollInterval(Duration.ofMillis(200)).until(() -> {
      assertThat(lab.isAlive()).as("the lab exited early (exit %s):\n%s", exitOf(lab), output).isTrue();
      return UP.matcher(output).find();
    });
    Matcher up = UP.matcher(output);
    assertThat(up.find()).isTrue();
    String server = "127.0.0.1:" + up.group(1);
    assertThat(output).contains("lab.seed: loaded the seed's topology");
    assertThat(security.resolve("admin.token")).exists();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(security.resolve("admin.token"))))
        .as("admin.token's mode").isEqualTo("rw-------");

    String[] credentials = {"--server", server, "--ca", security.resolve("ca.pem").toString(),
        "--token-file", security.resolve("admin.token").toString()};
    Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      String agents = dvrctl(credentials, "agent-list");
      assertThat(agents.lines().filter(l -> l.contains(":-)"))).hasSize(3);
    });
    assertThat(dvrctl(credentials, "router-show", "dvr-r1")).contains("81.1.180.1 ", "192.168.1.115");
    assertThat(output).as("the lab's own log").doesNotContain(Files.readString(security.resolve("admin.token")).trim());
  }

  private static String exitOf(Process p) {
    return p.isAlive() ? "running" : String.valueOf(p.exitValue());
  }

  private String dvrctl(String[] credentials, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] full = new String[credentials.length + args.length];
    System.arraycopy(credentials, 0, full, 0, credentials.length);
    System.arraycopy(args, 0, full, credentials.length, args.length);
    int code = Dvrctl.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), full);
    assertThat(code).as(String.join(" ", args) + "\n" + err.toString(StandardCharsets.UTF_8)).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  private void readOutput() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(lab.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        output.append(line).append('\n');
      }
    } catch (java.io.IOException ended) {
      // the process is gone; what it wrote is in output
    }
  }
}

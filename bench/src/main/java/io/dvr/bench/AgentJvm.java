package io.dvr.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A host agent in its own JVM, started from the host-agent jar as a user runs it ({@code java
 * FLAGS -jar host-agent-svc-*-all.jar} with {@code DVR_*} settings in its environment), its output
 * in a log file of the run.
 */
final class AgentJvm implements AutoCloseable {
  /** What Hazelcast needs on Java 17 (README). */
  static final List<String> OPENS = List.of("--add-modules", "java.se", "--add-exports",
      "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens",
      "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.management/sun.management=ALL-UNNAMED", "--add-opens",
      "jdk.management/com.sun.management.internal=ALL-UNNAMED");

  final String host;
  final Path log;
  private final Process process;

  private AgentJvm(String host, Path log, Process process) {
    this.host = host;
    this.log = log;
    this.process = process;
  }

  /** The JVM flags of every agent: a small heap, serial GC, C1 only (30 of them share 2 cores). */
  static List<String> flags(String heap) {
    return List.of("-Xmx" + heap, "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
        "-Djava.net.preferIPv4Stack=true");
  }

  static AgentJvm start(String host, Path jar, String heap, Map<String, String> env, Path logDir) {
    return start(host, jar, heap, List.of(), env, logDir);
  }

  /**
   * With {@code extraFlags} after the benchmark's own (a JIT setting, a profiler's agent); an agent
   * compiled ahead of time takes only the heap's bound and {@code extraFlags}.
   */
  static AgentJvm start(String host, Path jar, String heap, List<String> extraFlags, Map<String, String> env,
      Path logDir) {
    List<String> flags = new ArrayList<>(isExecutable(jar) ? List.of("-Xmx" + heap) : flags(heap));
    flags.addAll(extraFlags);
    if (!isExecutable(jar)) {
      flags.addAll(OPENS);
    }
    return start(host, jar, flags, env, logDir);
  }

  /**
   * With exactly these JVM flags (an agent attached to a relay needs none of Hazelcast's). {@code jar}
   * may be a directory: the jar unpacked, run as {@code -cp DIR io.dvr.agent.Main}; or an executable
   * that is not a jar: the agent compiled ahead of time (a native image), run with the flags as its own.
   */
  static AgentJvm start(String host, Path jar, List<String> jvmFlags, Map<String, String> env, Path logDir) {
    List<String> argv = new ArrayList<>();
    if (isExecutable(jar)) {
      argv.add(jar.toString());
      argv.addAll(jvmFlags);
    } else {
      argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      argv.addAll(jvmFlags);
      argv.addAll(Files.isDirectory(jar) ? List.of("-cp", jar.toString(), "io.dvr.agent.Main")
          : List.of("-jar", jar.toString()));
    }
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve("agent-" + host + ".log");
      ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().keySet().removeIf(k -> k.startsWith("DVR_"));
      pb.environment().put("HZ_PHONE_HOME_ENABLED", "false");
      pb.environment().putAll(env);
      return new AgentJvm(host, log, pb.start());
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the agent of " + host, e);
    }
  }

  /** An agent compiled ahead of time: an executable file that is not a jar. */
  static boolean isExecutable(Path agent) {
    return Files.isRegularFile(agent) && Files.isExecutable(agent) && !agent.getFileName().toString().endsWith(".jar");
  }

  boolean alive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** The lines of /proc/PID/status (empty when gone). */
  List<String> status() {
    try {
      return Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"));
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  /** Resident set size in MB, from /proc (0 when gone). */
  double rssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return 0;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

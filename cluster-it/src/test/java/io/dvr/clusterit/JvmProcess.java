package io.dvr.clusterit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One service in its own JVM, started with an argv array (no shell) on the test classpath, its
 * output in a log file. Small heap, serial GC and C1 only: eight of them share two cores.
 */
final class JvmProcess {
  /** What Hazelcast needs on Java 17 (stack notes); surefire passes the root pom's property. */
  private static final String OPENS = System.getProperty("clusterit.jvm.opens",
      "--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED"
          + " --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED"
          + " --add-opens java.management/sun.management=ALL-UNNAMED"
          + " --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED");
  private static final List<String> FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-XX:-UsePerfData", "-Xss512k", "-Djava.net.preferIPv4Stack=true", "-Dhazelcast.phone.home.enabled=false");
  /** Children die with the test JVM, even when it is cut short. */
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly)));
  }

  final String name;
  final int port;
  final Path log;
  private final Process process;
  private final long startedAt = System.nanoTime();
  private volatile Duration startup;

  private JvmProcess(String name, int port, Path log, Process process) {
    this.name = name;
    this.port = port;
    this.log = log;
    this.process = process;
  }

  /** Starts {@code mainClass} with the given DVR_* environment; {@code port} is its gRPC port (0: none). */
  static JvmProcess start(String name, String mainClass, String heap, Map<String, String> env, int port, Path logDir,
      List<String> moreFlags) {
    List<String> jvmFlags = new ArrayList<>();
    jvmFlags.add("-Xmx" + heap);
    jvmFlags.addAll(FLAGS);
    jvmFlags.addAll(moreFlags);
    return startWith(name, mainClass, jvmFlags, env, port, logDir);
  }

  /** As {@link #start}, with exactly these JVM flags (heap, GC, JIT) instead of the harness's (AgentFootprintBench). */
  static JvmProcess startWith(String name, String mainClass, List<String> jvmFlags, Map<String, String> env, int port,
      Path logDir) {
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.addAll(jvmFlags);
    argv.addAll(List.of(OPENS.trim().split("\\s+")));
    argv.add("-cp");
    argv.add(ClassDataSharing.classpath());
    argv.add(mainClass);
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(name + ".log");
      ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      // Only what the harness sets: no DVR_* leaks in from the shell that runs Maven.
      builder.environment().keySet().removeIf(k -> k.startsWith("DVR_"));
      builder.environment().put("HZ_PHONE_HOME_ENABLED", "false");
      builder.environment().putAll(env);
      Process process = builder.start();
      LIVE.add(process);
      return new JvmProcess(name, port, log, process);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Records the time from start to the first healthy answer. */
  void markReady() {
    if (startup == null) {
      startup = Duration.ofNanos(System.nanoTime() - startedAt);
    }
  }

  Duration startup() {
    return startup;
  }

  /** SIGKILL (destroyForcibly on Linux); returns once the OS reports the pid gone. */
  void kill9() {
    long pid = process.pid();
    process.destroyForcibly();
    waitExit(Duration.ofSeconds(10));
    if (!gone(pid)) {
      throw new AssertionError(name + " (pid " + pid + ") is still alive after SIGKILL");
    }
    LIVE.remove(process);
  }

  /** Whether the OS has no running process with this pid (a zombie waiting to be reaped counts as gone). */
  static boolean gone(long pid) {
    if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      return true;
    }
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException e) {
      return true;
    }
  }

  /** SIGTERM, so that shutdown hooks close Vert.x and leave the cluster; SIGKILL if that hangs. */
  void stop() {
    if (process.isAlive()) {
      process.destroy();
      if (!waitExit(Duration.ofSeconds(15))) {
        process.destroyForcibly();
        waitExit(Duration.ofSeconds(10));
      }
    }
    LIVE.remove(process);
  }

  boolean awaitExit(Duration atMost) {
    boolean exited = waitExit(atMost);
    if (exited) {
      LIVE.remove(process);
    }
    return exited;
  }

  private boolean waitExit(Duration atMost) {
    try {
      return process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A thread dump (jcmd Thread.print) written next to the log; for a process that hangs. */
  Path dumpThreads() {
    Path out = log.resolveSibling(name + "-threads-" + System.currentTimeMillis() + ".txt");
    try {
      Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          String.valueOf(process.pid()), "Thread.print").redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      if (!jcmd.waitFor(20, TimeUnit.SECONDS)) {
        jcmd.destroyForcibly();
      }
    } catch (IOException e) {
      return log;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  /** How far the log has been written: a mark for {@link #logSince}. */
  long logMark() {
    try {
      return Files.size(log);
    } catch (IOException e) {
      return 0;
    }
  }

  String logSince(long mark) {
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long from = Math.min(mark, file.length());
      byte[] bytes = new byte[(int) (file.length() - from)];
      file.seek(from);
      file.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  String log() {
    return logSince(0);
  }

  String tail(int lines) {
    List<String> all = log().lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + (port > 0 ? ", port " + port : "") + ")";
  }
}

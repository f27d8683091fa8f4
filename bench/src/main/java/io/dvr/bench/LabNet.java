package io.dvr.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The labnet lab of N measured hosts (network, compute1 .. compute(N-1); the second network node,
 * network2, is up too but carries no agent here), run through its scripts
 * ({@code LABNET_COMPUTES}, {@code LABNET_DIR}): up, down, and commands inside a host (the argv
 * {@code on-host.sh} runs, without its shell).
 */
final class LabNet {
  final Path scripts;
  final String dir;
  final int hosts;

  LabNet(Path scripts, String dir, int hosts) {
    this.scripts = scripts;
    this.dir = dir;
    this.hosts = hosts;
  }

  List<String> hostNames() {
    List<String> names = new ArrayList<>(List.of("network"));
    for (int k = 1; k < hosts; k++) {
      names.add("compute" + k);
    }
    return names;
  }

  List<String> computes() {
    return hostNames().subList(1, hosts);
  }

  /** The underlay address of a host, as lib.sh gives it. */
  static String underlay(String host) {
    return host.equals("network") ? "172.31.0.11" : "172.31.0." + (11 + Integer.parseInt(host.substring("compute".length())));
  }

  /** Runs up.sh; returns how long it took. */
  Duration up() {
    long t = System.nanoTime();
    run(Duration.ofMinutes(10), List.of(scripts.resolve("up.sh").toString()));
    return Duration.ofNanos(System.nanoTime() - t);
  }

  Duration down() {
    long t = System.nanoTime();
    run(Duration.ofMinutes(10), List.of(scripts.resolve("down.sh").toString()));
    return Duration.ofNanos(System.nanoTime() - t);
  }

  /** argv running cmd inside a host: its network, mount and UTS namespaces. */
  List<String> onHost(String host, List<String> cmd) {
    List<String> argv = new ArrayList<>(List.of("nsenter", "--net=/run/netns/lab-" + host,
        "--mount=" + dir + "/ns/" + host + ".mnt", "--uts=" + dir + "/ns/" + host + ".uts", "--"));
    argv.addAll(cmd);
    return argv;
  }

  /** Runs cmd inside a host; its output, or an exception naming the command. */
  String onHost(String host, String... cmd) {
    return run(Duration.ofSeconds(60), onHost(host, List.of(cmd)));
  }

  String run(Duration timeout, List<String> argv) {
    try {
      Path out = Files.createTempFile("labnet-bench", ".out");
      try {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("LABNET_DIR", dir);
        pb.environment().put("LABNET_COMPUTES", String.valueOf(hosts - 1));
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException("timed out after " + timeout + ": " + String.join(" ", argv));
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
          throw new IllegalStateException("exit " + p.exitValue() + ": " + String.join(" ", argv) + "\n" + text);
        }
        return text;
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + argv, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + argv, e);
    }
  }
}

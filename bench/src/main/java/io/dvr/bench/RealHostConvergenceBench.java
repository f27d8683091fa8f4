package io.dvr.bench;

import static io.dvr.bench.ConvergenceBench.fmt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Convergence on real hosts: the labnet lab with N hosts (network + N-1 computes), each with its
 * own Open vSwitch and a Linux-driver host agent in its own JVM; the control plane (api-gateway,
 * scheduler-svc, mac-allocator-svc, arp-svc) in this JVM on the clustered event bus, the embedded
 * PostgreSQL its own server process. From sending a change to the change read from the kernel
 * (and OVS) on every host that must carry it ({@link RealConvergence}).
 */
public final class RealHostConvergenceBench {

  record Options(List<Integer> hosts, int samples, int warmup, long gapMs, Path labnet, String labDir, Path agentJar,
      String heap, List<String> cases, java.util.Map<String, String> agentEnv, Path out, boolean viaRelay,
      List<String> agentJvmFlags, int burst) {
    /** Every agent's JVM flags: the benchmark's own (the heap's bound alone for a compiled agent), then those given. */
    List<String> agentFlags() {
      List<String> flags = new ArrayList<>(AgentJvm.isExecutable(agentJar) ? List.of("-Xmx" + heap) : AgentJvm.flags(heap));
      flags.addAll(agentJvmFlags);
      return flags;
    }

    static Options parse(String[] args) {
      List<Integer> hosts = List.of(3, 10, 30);
      int samples = 30;
      int warmup = 5;
      long gap = 300;
      Path labnet = Path.of("labnet");
      String labDir = "/run/labnet-bench";
      Path jar = Path.of("host-agent-svc/target/host-agent-svc-0.1.0-SNAPSHOT-all.jar");
      String heap = "48m";
      List<String> cases = List.of("port", "fip");
      Path out = null;
      boolean viaRelay = false;
      List<String> agentJvmFlags = List.of();
      int burst = 0;
      java.util.Map<String, String> agentEnv = new java.util.TreeMap<>();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          System.out.println("""
              usage: RealHostConvergenceBench [--hosts 3,10,30] [--samples 30] [--warmup 5] [--gap-ms 300]
                     [--labnet labnet] [--lab-dir /run/labnet-bench] [--agent-jar host-agent-svc/target/...-all.jar]
                     [--heap 48m] [--cases port,fip] [--agent-env DVR_X=V ...] [--via member|relay] [--out FILE]
                     [--agent-jvm-flags "-XX:FLAG ..."] [--burst 0]
              --via relay: the agents attach to a relay on the control plane's bus instead of joining the cluster
              --burst N: before each case's warm-up, N creates and deletes of its kind one after another, each sent
                         when the last was answered: the code compiled as in a control plane up for a while
              Needs root, the labnet prerequisites and no other labnet lab up (lab-* namespaces are global).""");
          System.exit(0);
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value after " + a);
        }
        String v = args[++i];
        switch (a) {
          case "--hosts" -> hosts = Arrays.stream(v.split(",")).map(String::trim).map(Integer::valueOf).toList();
          case "--samples" -> samples = Integer.parseInt(v);
          case "--warmup" -> warmup = Integer.parseInt(v);
          case "--gap-ms" -> gap = Long.parseLong(v);
          case "--burst" -> burst = Integer.parseInt(v);
          case "--labnet" -> labnet = Path.of(v);
          case "--lab-dir" -> labDir = v;
          case "--agent-jar" -> jar = Path.of(v);
          case "--heap" -> heap = v;
          case "--agent-jvm-flags" -> agentJvmFlags = Arrays.stream(v.trim().split("\\s+")).filter(f -> !f.isEmpty()).toList();
          case "--cases" -> cases = Arrays.stream(v.split(",")).map(String::trim).toList();
          case "--out" -> out = Path.of(v);
          case "--via" -> {
            if (!v.equals("member") && !v.equals("relay")) {
              throw new IllegalArgumentException("--via takes member or relay, not " + v);
            }
            viaRelay = v.equals("relay");
          }
          case "--agent-env" -> {
            int eq = v.indexOf('=');
            if (eq <= 0 || !v.startsWith("DVR_")) {
              throw new IllegalArgumentException("--agent-env takes DVR_NAME=VALUE, not " + v);
            }
            agentEnv.put(v.substring(0, eq), v.substring(eq + 1));
          }
          default -> throw new IllegalArgumentException("unknown option " + a + " (try --help)");
        }
      }
      if (burst < 0) {
        throw new IllegalArgumentException("--burst: a count of changes, not " + burst);
      }
      if (hosts.stream().anyMatch(n -> n < 2 || n > 201)) {
        throw new IllegalArgumentException("--hosts: each from 2 to 201 (network + 1..200 computes)");
      }
      if (!Files.isRegularFile(jar)) {
        throw new IllegalArgumentException("--agent-jar " + jar + " is not there (mvn -pl bench -am package -DskipTests)");
      }
      if (!Files.isRegularFile(labnet.resolve("up.sh"))) {
        throw new IllegalArgumentException("--labnet " + labnet + " holds no up.sh");
      }
      return new Options(hosts, samples, warmup, gap, labnet.toAbsolutePath(), labDir, jar.toAbsolutePath(), heap,
          cases, java.util.Map.copyOf(agentEnv), out, viaRelay, agentJvmFlags, burst);
    }
  }

  private RealHostConvergenceBench() {}

  public static void main(String[] args) throws Exception {
    if (System.getenv("DVR_LOG_LEVEL") == null && System.getProperty("DVR_LOG_LEVEL") == null) {
      System.setProperty("DVR_LOG_LEVEL", "WARN");
    }
    Options o = Options.parse(args);
    List<RealConvergence.Result> results = new ArrayList<>();
    for (int n : o.hosts()) {
      results.add(RealConvergence.run(n, o));
      String partial = report(o, results);
      System.out.println(partial);
    }
    String report = report(o, results);
    if (o.out() != null) {
      Files.writeString(o.out(), report + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    boolean lost = results.stream().anyMatch(r -> r.lost() > 0);
    System.exit(lost ? 1 : 0);
  }

  static String report(Options o, List<RealConvergence.Result> results) {
    StringBuilder sb = new StringBuilder(fmt("Real-host convergence, %s, %d CPUs, Java %s; %d samples per row after"
        + " %d warm-up%s; agents %s; agent JVM flags %s, settings %s; ms from sending the request to the change as its"
        + " host's monitor received it (the stamps of ip -ts monitor, in us, and of ovs-ofctl --timestamp monitor, in whole"
        + " ms counted as the end of their ms; xtables-monitor stamps nothing: as this JVM read it), nearest-rank"
        + " percentiles; the same as this JVM read the monitors' lines beside it%n%n",
        Instant.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), o.samples(),
        o.warmup(), o.burst() > 0 ? fmt(" (and before it a burst of %d of each kind)", o.burst()) : "",
        o.viaRelay() ? "attached to a relay (agent.relays)" : "cluster members (lite)",
        String.join(" ", o.agentFlags()), o.agentEnv().isEmpty() ? "defaults" : o.agentEnv()));
    sb.append("| hosts | what | reply p50 | p50 | p95 | p99 | max | as read: p50 / p95 / p99 | lost |\n"
        + "|---:|---|---:|---:|---:|---:|---:|---|---:|\n");
    for (RealConvergence.Result r : results) {
      for (RealConvergence.Series s : r.series()) {
        sb.append(fmt("| %d | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f / %.1f / %.1f | %d |%n", r.hosts(), s.what(),
            p(s.replyNanos(), 0.5), p(s.nanos(), 0.5), p(s.nanos(), 0.95), p(s.nanos(), 0.99), p(s.nanos(), 1.0),
            p(s.readNanos(), 0.5), p(s.readNanos(), 0.95), p(s.readNanos(), 0.99), s.lost()));
      }
    }
    sb.append("\n| hosts | carrying the router | lab up (s) | lab down (s) | agents up (s) | agent RSS MB (median) |"
        + " load before | load after |\n|---:|---:|---:|---:|---:|---:|---|---|\n");
    for (RealConvergence.Result r : results) {
      sb.append(fmt("| %d | %d | %.1f | %.1f | %.1f | %.0f | %s | %s |%n", r.hosts(), r.carrying(), r.upSeconds(),
          r.downSeconds(), r.agentsSeconds(), r.agentRssMb(), r.loadBefore(), r.loadAfter()));
    }
    return sb.toString();
  }

  static double p(long[] nanos, double q) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return LatencyStats.percentile(sorted, q) / 1e6;
  }
}

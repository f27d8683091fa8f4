package io.dvr.clusterit;

import io.dvr.common.cluster.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A few {@link BusProbeMain} processes (and strangers) on one Hazelcast cluster of their own, for
 * the event-bus security tests: the certified members are listed in each other's member list, any
 * other process joins through the first member's address only.
 */
final class ProbeCluster implements AutoCloseable {
  /** Flags after the harness's own (BusLatencyBench: -XX:TieredStopAtLevel=4 for the full JIT). */
  private static final List<String> MORE_FLAGS = System.getProperty("clusterit.probe.flags", "").isBlank() ? List.of()
      : List.of(System.getProperty("clusterit.probe.flags").trim().split("\\s+"));
  final String name;
  final Path dir;
  final TestCertificates pki;
  private final List<Integer> memberPorts = new ArrayList<>();
  private final List<JvmProcess> processes = new ArrayList<>();

  ProbeCluster(String test, int members) {
    this.name = test + "-" + System.currentTimeMillis();
    this.dir = Cluster.LOGS.resolve(name);
    this.pki = Cluster.pki();
    for (int i = 0; i < members; i++) {
      memberPorts.add(Cluster.freePort());
    }
  }

  /** Member {@code index} of the member list, with its own certificate of the cluster CA. */
  JvmProcess member(int index, String probe, String roles, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(pki.env(probe));
    env.put("DVR_CLUSTER_PORT", String.valueOf(memberPorts.get(index)));
    env.put("DVR_CLUSTER_MEMBERS", members());
    env.putAll(extra);
    return probe(probe, roles, env);
  }

  /** A process the members do not list: it knows the cluster name and the first member's address. */
  JvmProcess outsider(String probe, String mainClass, Map<String, String> env) {
    Map<String, String> all = new HashMap<>(common(probe));
    all.put("DVR_CLUSTER_PORT", String.valueOf(Cluster.freePort()));
    all.put("DVR_CLUSTER_MEMBERS", "127.0.0.1:" + memberPorts.get(0));
    all.putAll(env);
    return start(probe, mainClass, all);
  }

  JvmProcess probe(String probe, String roles, Map<String, String> env) {
    Map<String, String> all = new HashMap<>(common(probe));
    all.put("DVR_PROBE_ROLE", roles);
    all.putAll(env);
    return start(probe, BusProbeMain.class.getName(), all);
  }

  private Map<String, String> common(String probe) {
    return Map.of("DVR_CLUSTER_ENABLED", "true", "DVR_CLUSTER_HOST", "127.0.0.1", "DVR_CLUSTER_NAME", name,
        "DVR_PROBE_NAME", probe);
  }

  private JvmProcess start(String probe, String mainClass, Map<String, String> env) {
    JvmProcess p = JvmProcess.start(probe, mainClass, "160m", env, 0, dir, MORE_FLAGS);
    processes.add(p);
    return p;
  }

  String members() {
    return String.join(",", memberPorts.stream().map(p -> "127.0.0.1:" + p).toList());
  }

  /** Waits until the process's log, from {@code mark} on, satisfies {@code test}. */
  static void awaitLog(JvmProcess p, long mark, Duration atMost, String what, Predicate<String> test) {
    Deadline deadline = new Deadline(atMost, () -> p.name + ": " + what + "\n" + p.tail(20));
    while (!test.test(p.logSince(mark))) {
      deadline.check(p);
      deadline.pause();
    }
  }

  /** How many lines match {@code regex}. */
  static int count(String log, String regex) {
    Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(log);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  String tails() {
    StringBuilder out = new StringBuilder();
    for (JvmProcess p : processes) {
      out.append("\n===== ").append(p).append('\n').append(p.tail(25)).append('\n');
    }
    return out.toString();
  }

  @Override
  public void close() {
    processes.forEach(JvmProcess::stop);
  }
}

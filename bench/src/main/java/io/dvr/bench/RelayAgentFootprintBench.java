package io.dvr.bench;

import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.Subnet;
import io.dvr.relay.RelayService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark (a main): what one host agent attached to a relay costs in its own JVM, holding R
 * routers. The control plane runs in this JVM ({@link ControlPlane}, an embedded PostgreSQL) with
 * a relay (relay-svc) on its bus; R routers are created, each with its own network, /24 subnet,
 * interface and one VM port bound to the measured host. Then, for each set of JVM flags, the agent
 * is started from its jar as a user runs it ({@code DVR_AGENT_RELAYS}: no cluster member) on the
 * memory driver, a fresh simulated host each time: the time from starting the JVM to the log line
 * of its first full apply of the R routers, then after an idle while VmRSS, RssAnon, RssFile and
 * Threads from /proc/PID/status, and the classes it loaded ({@code jcmd PID VM.classloader_stats}
 * totals, when jcmd is there).
 *
 * <p>An executable that is not a jar given as the agent is the agent compiled ahead of time (a
 * native image): run as it is, the flags its own.
 *
 * <p>Options: --agent-jar JAR (required) --routers 100 --idle-seconds 15 --runs 3 --variant
 * NAME=FLAGS (repeatable; flags separated by spaces; default: the variants below) --out FILE.
 */
public final class RelayAgentFootprintBench {
  private static final String HOST = "fp1";

  public static void main(String[] args) throws Exception {
    Map<String, String> o = options(args);
    Path jar = Path.of(required(o, "agent-jar"));
    int routers = Integer.parseInt(o.getOrDefault("routers", "100"));
    long idleMs = Long.parseLong(o.getOrDefault("idle-seconds", "15")) * 1000;
    int runs = Integer.parseInt(o.getOrDefault("runs", "3"));
    Map<String, List<String>> variants = variants(args);
    Path logs = Files.createTempDirectory("relay-footprint-");
    StringBuilder out = new StringBuilder();
    out.append("Load before (uptime): ").append(uptime()).append("\n\n");
    out.append("| flags | routers | run | start to synced (ms) | VmRSS (MB) | anon (MB) | file (MB) | threads | classes |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    try (ControlPlane cp = ControlPlane.start()) {
      RelayService relay = cp.startRelay();
      cp.security().addHost(HOST);
      createRouters(cp, routers);
      for (var variant : variants.entrySet()) {
        for (int run = 1; run <= runs; run++) {
          out.append(measure(cp, relay, jar, variant.getKey(), variant.getValue(), routers, run, idleMs, logs))
              .append('\n');
          System.out.println(out);
        }
      }
    }
    out.append("\nLoad after (uptime): ").append(uptime()).append("\nAgent logs: ").append(logs).append('\n');
    String text = out.toString();
    System.out.println(text);
    if (o.containsKey("out")) {
      Files.writeString(Path.of(o.get("out")), text);
    }
    System.exit(0);
  }

  /** The flag sets measured unless --variant names others. */
  private static Map<String, List<String>> variants(String[] args) {
    Map<String, List<String>> v = new LinkedHashMap<>();
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--variant")) {
        String[] nameFlags = args[i + 1].split("=", 2);
        v.put(nameFlags[0], Arrays.asList(nameFlags[1].trim().split("\\s+")));
      }
    }
    if (v.isEmpty()) {
      v.put("deployed", List.of("-Xmx256m", "-XX:+UseSerialGC"));
      v.put("lean", List.of("-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss256k",
          "-XX:ReservedCodeCacheSize=16m", "-XX:-UsePerfData"));
    }
    return v;
  }

  private static void createRouters(ControlPlane cp, int routers) {
    long t0 = System.nanoTime();
    for (int i = 0; i < routers; i++) {
      String cidr = "10." + (100 + i / 256) + "." + (i % 256) + ".0/24";
      String prefix = cidr.substring(0, cidr.length() - "0/24".length());
      Network net = cp.api.network("fp-net-" + i, false).await();
      Subnet subnet = cp.api.subnet(net.getId(), "fp-subnet-" + i, cidr).await();
      Router router = cp.api.router("fp-router-" + i).await();
      cp.api.addInterface(router.getId(), subnet.getId()).await();
      cp.api.vmPort(net.getId(), subnet.getId(), prefix + "10", null, HOST).await();
    }
    System.out.printf("created %d routers in %.1f s%n", routers, (System.nanoTime() - t0) / 1e9);
  }

  private static String measure(ControlPlane cp, RelayService relay, Path jar, String name, List<String> flags,
      int routers, int run, long idleMs, Path logs) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("DVR_HOST_NAME", HOST);
    env.put("DVR_AGENT_MODE", "dvr");
    env.put("DVR_AGENT_TUNNEL_IP", "10.0.0.50");
    env.put("DVR_SECURITY_DIR", cp.security().dir());
    env.put("DVR_AGENT_RELAYS", "127.0.0.1:" + relay.port());
    env.put("DVR_API_ADDRESS", "127.0.0.1:" + cp.apiPort());
    env.put("DVR_HOST_AGENT_HOST", "127.0.0.1");
    env.put("DVR_HOST_AGENT_PORT", "0");
    env.put("DVR_AGENT_RESYNC_SECONDS", "3600");
    Path runLogs = logs.resolve(name + "-" + run);
    long started = System.nanoTime();
    try (AgentJvm agent = AgentJvm.start(HOST, jar, flags, env, runLogs)) {
      Pattern applied = Pattern.compile("applied \\d+ operations for " + routers + " routers");
      double syncedMs = -1;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (System.nanoTime() < deadline) {
        if (!agent.alive()) {
          throw new IllegalStateException("the agent exited; see " + agent.log);
        }
        if (Files.exists(agent.log) && applied.matcher(Files.readString(agent.log)).find()) {
          syncedMs = (System.nanoTime() - started) / 1e6;
          break;
        }
        TimeUnit.MILLISECONDS.sleep(10);
      }
      if (syncedMs < 0) {
        throw new IllegalStateException("the agent did not apply " + routers + " routers within 5 minutes; see " + agent.log);
      }
      TimeUnit.MILLISECONDS.sleep(idleMs);
      Map<String, Long> status = new HashMap<>();
      for (String line : agent.status()) {
        Matcher m = Pattern.compile("^(VmRSS|RssAnon|RssFile|Threads):\\s+(\\d+)").matcher(line);
        if (m.find()) {
          status.put(m.group(1), Long.parseLong(m.group(2)));
        }
      }
      if (flags.stream().anyMatch(f -> f.startsWith("-XX:NativeMemoryTracking"))) {
        Files.writeString(runLogs.resolve("nmt.txt"), jcmd(agent.pid(), "VM.native_memory", "summary"));
      }
      boolean compiled = AgentJvm.isExecutable(jar); // no JVM to ask: its classes were compiled into it
      if (!compiled) {
        Files.writeString(runLogs.resolve("histogram.txt"), jcmd(agent.pid(), "GC.class_histogram"));
      }
      return String.format("| %s `%s` | %d | %d | %.0f | %.1f | %.1f | %.1f | %d | %s |", name, String.join(" ", flags),
          routers, run, syncedMs, status.getOrDefault("VmRSS", 0L) / 1024.0, status.getOrDefault("RssAnon", 0L) / 1024.0,
          status.getOrDefault("RssFile", 0L) / 1024.0, status.getOrDefault("Threads", 0L),
          compiled ? "compiled in" : classes(agent.pid()));
    }
  }

  /** Classes loaded, from jcmd's class loader statistics ("?" when jcmd cannot tell). */
  private static String classes(long pid) {
    Matcher m = Pattern.compile("(?m)^Total = \\d+\\s+(\\d+)").matcher(jcmd(pid, "VM.classloader_stats"));
    return m.find() ? m.group(1) : "?";
  }

  /** What jcmd prints for the JVM {@code pid} ("" when it cannot). */
  private static String jcmd(long pid, String... command) {
    List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        String.valueOf(pid)));
    argv.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes());
      p.waitFor(30, TimeUnit.SECONDS);
      return text;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static String uptime() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value, got '" + args[i] + "'");
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    return o;
  }

  private static String required(Map<String, String> o, String key) {
    String v = o.get(key);
    if (v == null) {
      throw new IllegalArgumentException("--" + key + " is required");
    }
    return v;
  }
}

package io.dvr.clusterit;

import io.dvr.gateway.ApiClient;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.QuotaServiceGrpcClient;
import io.dvr.proto.v1.UpdateQuotaRequest;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.Subnet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Benchmark, not a test (a main, so surefire never runs it): what one host agent costs in its own
 * JVM, clustered as host-agent-svc runs today ({@code io.dvr.agent.Main}, a Hazelcast lite member
 * with TLS on the bus, on the memory driver) beside a control plane of separate processes (one of
 * each service, PostgreSQL). For each set of JVM flags: the agent of a host with no routers and
 * that of a host carrying R routers (each its own network, subnet, interface and one VM on the
 * host), each started anew: the time from starting the JVM to its first full apply (the log line
 * "applied N operations for R routers"), then after an idle while its RSS (/proc), threads, and the
 * bytes its sockets moved while idle (ss -tin: Hazelcast's ports apart from the rest); with
 * {@code -XX:NativeMemoryTracking=summary} among the flags the JVM's own account (jcmd
 * VM.native_memory), and for the R-router agent a heap histogram (jcmd GC.class_histogram).
 *
 * <p>Options: --routers 100 --variants deployed,lean,... (names below) --idle-seconds 20 --out FILE.
 * Files (histograms, NMT) go to target/cluster-logs/footprint-*.
 */
public final class AgentFootprintBench {
  private static final Pattern APPLIED = Pattern.compile("applied \\d+ operations for (\\d+) routers");
  private static final List<String> COMMON = List.of("-Djava.net.preferIPv4Stack=true",
      "-Dhazelcast.phone.home.enabled=false");
  private static final List<String> LEAN = List.of("-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-Xss256k", "-XX:ReservedCodeCacheSize=16m", "-XX:-UsePerfData");
  private static final List<String> NETTY = List.of("-Dio.netty.allocator.type=unpooled");
  private static final List<String> HAZELCAST = List.of("-Dhazelcast.operation.thread.count=1",
      "-Dhazelcast.operation.generic.thread.count=1", "-Dhazelcast.io.thread.count=1",
      "-Dhazelcast.event.thread.count=1", "-Dhazelcast.operation.priority.generic.thread.count=1");
  private static final String NMT = "-XX:NativeMemoryTracking=summary";

  private record Variant(String name, List<String> flags, boolean cds) {}

  /** One agent JVM measured. */
  private record Sample(String variant, String host, int routers, double startToSyncedMs, long rssKb, long anonKb,
      long fileKb, int threads, double hazelcastBytesPerSecond, double otherBytesPerSecond, String nmt) {}

  private final Cluster cluster;
  private final Path files;
  private final long idleMillis;

  private AgentFootprintBench(Cluster cluster, Path files, long idleMillis) {
    this.cluster = cluster;
    this.files = files;
    this.idleMillis = idleMillis;
  }

  private static Map<String, Variant> variants() {
    Map<String, Variant> v = new LinkedHashMap<>();
    v.put("defaults", new Variant("JVM defaults (G1, heap up to 1/4 of RAM)", List.of(), false));
    v.put("deployed", new Variant("-Xmx256m -XX:+UseSerialGC (compose)", List.of("-Xmx256m", "-XX:+UseSerialGC"), false));
    v.put("xmx48", new Variant("-Xmx48m -XX:+UseSerialGC", List.of("-Xmx48m", "-XX:+UseSerialGC"), false));
    v.put("lean", new Variant(String.join(" ", LEAN), LEAN, false));
    v.put("lean-netty", new Variant("lean + unpooled Netty buffers", concat(LEAN, NETTY), false));
    v.put("lean-netty-hz", new Variant("lean + unpooled Netty + 1 Hazelcast thread per pool",
        concat(concat(LEAN, NETTY), HAZELCAST), false));
    v.put("lean-netty-hz-cds", new Variant("lean + unpooled Netty + 1 Hazelcast thread per pool + CDS archive",
        concat(concat(LEAN, NETTY), HAZELCAST), true));
    v.put("lean-nmt", new Variant("lean + NMT (its own account, costs a few MB)", concat(LEAN, List.of(NMT)), false));
    v.put("deployed-nmt", new Variant("-Xmx256m -XX:+UseSerialGC + NMT",
        List.of("-Xmx256m", "-XX:+UseSerialGC", NMT), false));
    return v;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new LinkedHashMap<>(Map.of("routers", "100", "variants",
        String.join(",", variants().keySet()), "idle-seconds", "20", "out", ""));
    for (int i = 0; i + 1 < args.length; i += 2) {
      opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int routers = Integer.parseInt(opt.get("routers"));
    List<String> names = List.of(opt.get("variants").split(","));
    Map<String, Variant> all = variants();
    List<Sample> samples = new ArrayList<>();
    // Two processes per variant (the empty host's agent, the full host's), plus the first full agent.
    try (Cluster cluster = Cluster.start("footprint", 2 * names.size() + 1, Map.of(), 1)) {
      Path files = Cluster.LOGS.resolve("footprint-" + System.currentTimeMillis());
      Files.createDirectories(files);
      AgentFootprintBench bench = new AgentFootprintBench(cluster, files,
          Long.parseLong(opt.get("idle-seconds")) * 1000);
      bench.placeRouters(routers);
      for (int i = 0; i < names.size(); i++) {
        Variant v = all.get(names.get(i).trim());
        if (v == null) {
          throw new IllegalArgumentException("unknown variant " + names.get(i) + "; known: " + all.keySet());
        }
        samples.add(bench.measure(v, "empty-" + i, "fp-empty", 0));
        samples.add(bench.measure(v, "full-" + i, "fp-full", routers));
      }
      String report = report(samples, files, opt);
      System.out.println(report);
      if (!opt.get("out").isEmpty()) {
        Files.writeString(Path.of(opt.get("out")), report, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
    }
    System.exit(0);
  }

  /** The full host's first agent (untimed) and its R routers, each with a VM on it, over the API. */
  private void placeRouters(int routers) {
    JvmProcess first = cluster.startAgentProcess("agent-setup", "fp-full", concat(List.of("-Xmx256m",
        "-XX:+UseSerialGC"), opts()), Map.of());
    awaitApplied(first, 0, Duration.ofSeconds(180));
    ApiClient api = cluster.api;
    // The admin project's default quotas allow 10 routers.
    api.call(QuotaServiceGrpcClient.UpdateQuota, UpdateQuotaRequest.newBuilder().setProjectId("admin")
        .setNetwork(-1).setSubnet(-1).setPort(-1).setRouter(-1).build());
    for (int i = 0; i < routers; i++) {
      Subnet subnet = Topology.subnet(api, "fp-net-" + i, String.format(Locale.ROOT, "10.%d.%d.0/24", 100 + i / 256,
          i % 256));
      Router router = Topology.router(api, "fp-router-" + i);
      Topology.attach(api, router.getId(), subnet);
      api.call(PortServiceGrpcClient.CreatePort, Topology.vm(subnet, "fp-vm-" + i, "fp-full"));
    }
    awaitApplied(first, routers, Duration.ofSeconds(300));
    first.stop();
    System.out.printf("%d routers placed on fp-full%n", routers);
  }

  private Sample measure(Variant v, String process, String host, int routers) throws Exception {
    List<String> flags = new ArrayList<>(v.flags());
    flags.addAll(opts());
    if (v.cds()) {
      flags.addAll(ClassDataSharing.flags(cluster.postgres));
    }
    long mark = System.nanoTime();
    JvmProcess agent = cluster.startAgentProcess(process, host, flags, Map.of());
    double synced = awaitApplied(agent, routers, Duration.ofSeconds(300)) - mark;
    Set<Integer> hz = Set.copyOf(cluster.clusterPorts());
    long[] before = sockets(agent.pid(), hz);
    Thread.sleep(idleMillis); // a benchmark's idle while: what the agent holds and sends when nothing happens
    long[] after = sockets(agent.pid(), hz);
    Map<String, Long> status = status(agent.pid());
    String nmt = "";
    if (flags.contains(NMT)) {
      Path out = files.resolve(process + "-nmt.txt");
      jcmd(agent.pid(), out, "VM.native_memory", "summary");
      nmt = out.toString();
    }
    if (routers > 0) {
      jcmd(agent.pid(), files.resolve(process + "-histogram.txt"), "GC.class_histogram");
    }
    agent.stop();
    double seconds = idleMillis / 1000.0;
    Sample s = new Sample(v.name(), host, routers, synced / 1e6, status.getOrDefault("VmRSS", -1L),
        status.getOrDefault("RssAnon", -1L), status.getOrDefault("RssFile", -1L),
        status.getOrDefault("Threads", -1L).intValue(), (after[0] - before[0]) / seconds, (after[1] - before[1]) / seconds,
        nmt);
    System.out.println(s);
    return s;
  }

  /** The flags every variant needs: what Hazelcast needs on Java 17 (the harness's) and no phone home. */
  private static List<String> opts() {
    List<String> out = new ArrayList<>(COMMON);
    out.addAll(List.of(System.getProperty("clusterit.jvm.opens",
        "--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED"
            + " --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED"
            + " --add-opens java.management/sun.management=ALL-UNNAMED"
            + " --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED").trim().split("\\s+")));
    return out;
  }

  /** Waits for the agent's log to say it applied R routers; returns System.nanoTime() when it was seen. */
  private static long awaitApplied(JvmProcess agent, int routers, Duration atMost) {
    Deadline deadline = new Deadline(atMost, () -> agent + " did not apply " + routers + " routers\n" + agent.tail(30));
    while (true) {
      Matcher m = APPLIED.matcher(agent.log());
      while (m.find()) {
        if (Integer.parseInt(m.group(1)) == routers) {
          return System.nanoTime();
        }
      }
      deadline.check(agent);
      sleep(10);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Bytes sent plus received by the process's TCP sockets so far: {on Hazelcast ports, on any other}. */
  static long[] sockets(long pid, Set<Integer> hazelcastPorts) throws IOException, InterruptedException {
    Process ss = new ProcessBuilder("ss", "-tinpH").redirectErrorStream(true).start();
    String out = new String(ss.getInputStream().readAllBytes());
    ss.waitFor(10, TimeUnit.SECONDS);
    return socketBytes(out, pid, hazelcastPorts);
  }

  /**
   * Parses {@code ss -tinpH}: each socket's line (local and peer address, users:(...pid=N...)) is
   * followed by its tcp_info line (bytes_sent:, bytes_received:).
   */
  static long[] socketBytes(String ss, long pid, Set<Integer> hazelcastPorts) {
    long[] sums = new long[2];
    String[] lines = ss.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (!line.contains("pid=" + pid + ",")) {
        continue;
      }
      String[] f = line.trim().split("\\s+");
      boolean hz = f.length > 4 && (hazelcastPorts.contains(port(f[3])) || hazelcastPorts.contains(port(f[4])));
      String info = i + 1 < lines.length ? lines[i + 1] : "";
      long bytes = field(info, "bytes_sent:") + field(info, "bytes_received:");
      sums[hz ? 0 : 1] += bytes;
    }
    return sums;
  }

  private static int port(String address) {
    try {
      return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static long field(String info, String name) {
    Matcher m = Pattern.compile(Pattern.quote(name) + "(\\d+)").matcher(info);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /** VmRSS, RssAnon, RssFile (kB) and Threads of /proc/PID/status. */
  private static Map<String, Long> status(long pid) throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      String[] kv = line.split(":\\s+");
      if (kv.length == 2 && Set.of("VmRSS", "RssAnon", "RssFile", "Threads").contains(kv[0])) {
        out.put(kv[0], Long.parseLong(kv[1].replace(" kB", "").trim()));
      }
    }
    return out;
  }

  private static void jcmd(long pid, Path out, String... command) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        String.valueOf(pid)));
    argv.addAll(List.of(command));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
  }

  private static String report(List<Sample> samples, Path files, Map<String, String> opt) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "%nAgent footprint, %s, %s; one host agent per JVM (io.dvr.agent.Main, lite member, TLS bus, memory driver);"
            + " histograms and NMT in %s%n%n", Instant.now(), opt, files));
    sb.append("| flags | routers | start to synced (ms) | RSS (MB) | anon (MB) | file (MB) | threads |"
        + " idle Hazelcast B/s | idle other B/s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Sample s : samples) {
      sb.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.1f | %.1f | %.1f | %d | %.0f | %.0f |%n",
          s.variant(), s.routers(), s.startToSyncedMs(), s.rssKb() / 1024.0, s.anonKb() / 1024.0, s.fileKb() / 1024.0,
          s.threads(), s.hazelcastBytesPerSecond(), s.otherBytesPerSecond()));
    }
    for (Sample s : samples) {
      if (!s.nmt().isEmpty()) {
        sb.append(String.format(Locale.ROOT, "%nNMT of %s, %d routers:%n%n```%n%s```%n", s.variant(), s.routers(),
            nmtSummary(Path.of(s.nmt()))));
      }
    }
    return sb.toString();
  }

  /** The total and each category's committed memory from an NMT summary. */
  private static String nmtSummary(Path file) {
    try {
      return Files.readAllLines(file).stream().filter(l -> l.contains("committed=") && (l.startsWith("Total")
          || l.trim().startsWith("-"))).map(String::trim).collect(Collectors.joining("\n", "", "\n"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

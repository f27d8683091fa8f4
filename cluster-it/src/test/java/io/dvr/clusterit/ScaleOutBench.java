package io.dvr.clusterit;

import io.dvr.agent.render.Names;
import io.dvr.gateway.ApiClient;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.GetHostStateRequest;
import io.dvr.proto.v1.HostStateListing;
import io.dvr.proto.v1.ListingSection;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.Subnet;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Benchmark, not a test (a main, so surefire never runs it): the separate-JVM control plane with
 * 1 and then 2 instances of each scaled service (scheduler-svc, mac-allocator-svc, arp-svc; one
 * api-gateway, one PostgreSQL), N memory-driver hosts in one agents JVM carrying one router.
 *
 * <p>Per topology: (1) convergence: CreatePort of a VM port on the router's subnet, then the time
 * until every host holds the port's PERMANENT ARP entry in the router's qrouter namespace, seen
 * through api-gateway's AgentService/GetHostState (each host polled back to back, the time taken
 * when the reply that first shows it arrives); (2) closed-loop CreatePort throughput and latency
 * at each client count (warm-up, then a fixed count), each followed by the drain: the time from the
 * last reply until every host holds every port's ARP entry; (3) per-process CPU from /proc deltas.
 *
 * <p>Options: --instances 1,2 --hosts 10 --clients 8,32 --warmup 100 --ports 600 --samples 30
 * --out FILE (appends the markdown tables).
 */
public final class ScaleOutBench {
  private static final double TICKS = 100.0; // getconf CLK_TCK
  private static final Duration CONVERGE = Duration.ofSeconds(60);

  private final ApiClient api;
  private final Cluster cluster;
  private final List<String> hosts;
  private final String routerId;
  private final String qrouter;
  private final Subnet subnet;
  /** "ip lladdr mac" of every VM port on the subnet, which every host must end up holding. */
  private final Set<String> expected = ConcurrentHashMap.newKeySet();
  private final AtomicInteger seq = new AtomicInteger();
  private final StringBuilder report = new StringBuilder();

  private ScaleOutBench(Cluster cluster, List<String> hosts, String routerId, Subnet subnet) {
    this.cluster = cluster;
    this.api = cluster.api;
    this.hosts = hosts;
    this.routerId = routerId;
    this.qrouter = Names.qrouterNamespace(routerId);
    this.subnet = subnet;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new LinkedHashMap<>(Map.of("instances", "1,2", "hosts", "10", "clients", "8,32",
        "warmup", "100", "ports", "600", "samples", "30", "out", ""));
    for (int i = 0; i + 1 < args.length; i += 2) {
      opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int hostCount = Integer.parseInt(opt.get("hosts"));
    StringBuilder all = new StringBuilder();
    all.append(String.format("%n<!-- ScaleOutBench %s, %s -->%n", opt, java.time.Instant.now()));
    for (String n : opt.get("instances").split(",")) {
      int instances = Integer.parseInt(n.trim());
      long t0 = System.nanoTime();
      try (Cluster cluster = Cluster.start("scaleout-x" + instances, 1, Map.of(), instances)) {
        cluster.startAgents("h", hostCount, 0, Duration.ofSeconds(120));
        List<String> hosts = Cluster.hosts("h", hostCount);
        Subnet subnet = Topology.subnet(cluster.api, "bench", "10.0.0.0/16");
        Router router = Topology.router(cluster.api, "bench-router");
        Topology.attach(cluster.api, router.getId(), subnet);
        ScaleOutBench bench = new ScaleOutBench(cluster, hosts, router.getId(), subnet);
        System.out.printf("== %d instance(s) of each scaled service: cluster up after %.1f s; processes %s%n",
            instances, (System.nanoTime() - t0) / 1e9, cluster.processes());
        bench.run(instances, opt);
        all.append(bench.report);
      }
    }
    System.out.println(all);
    if (!opt.get("out").isEmpty()) {
      Files.writeString(Path.of(opt.get("out")), all, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    System.exit(0);
  }

  private void run(int instances, Map<String, String> opt) {
    // The router on every host: one VM port each, then the harness's own convergence check.
    for (String host : hosts) {
      created(ApiClient.await(api.async(PortServiceGrpcClient.CreatePort, vm(host))));
    }
    new RouterConvergence(api, hosts).await(List.of(routerId), CONVERGE);
    line("### %d instance(s) of each scaled service, %d hosts", instances, hosts.size());
    line("");

    // (1) Convergence, one port at a time on an otherwise idle cluster.
    int samples = Integer.parseInt(opt.get("samples"));
    for (int i = 0; i < 3; i++) {
      convergeOne(); // warm-up
    }
    Cpu cpu = Cpu.start(cluster);
    long[] ack = new long[samples];
    long[] first = new long[samples];
    long[] last = new long[samples];
    long polls = 0;
    long pollNanos = 0;
    for (int i = 0; i < samples; i++) {
      long[] s = convergeOne();
      ack[i] = s[0];
      first[i] = s[1];
      last[i] = s[2];
      polls += s[3];
      pollNanos += s[4];
    }
    String cpuConv = cpu.stop();
    line("Convergence (%d samples, CreatePort to the PERMANENT ARP entry on every one of %d hosts; one poll round of"
        + " all hosts took %.1f ms on average):", samples, hosts.size(), pollNanos / 1e6 / Math.max(1, polls));
    line("");
    line("| | p50 (ms) | p99 (ms) | max (ms) |");
    line("|---|---:|---:|---:|");
    line("| CreatePort reply | %s |", pct(ack));
    line("| first host holds the entry | %s |", pct(first));
    line("| every host holds the entry (convergence) | %s |", pct(last));
    line("");
    line("CPU during the convergence samples: %s", cpuConv);
    line("");

    // (2) Throughput, closed loop, then the drain.
    int warmup = Integer.parseInt(opt.get("warmup"));
    int ports = Integer.parseInt(opt.get("ports"));
    line("| clients | ports | errors | ports/s | p50 (ms) | p99 (ms) | max (ms) | drain after last reply (ms) |");
    line("|---:|---:|---:|---:|---:|---:|---:|---:|");
    List<String> cpuLines = new ArrayList<>();
    for (String c : opt.get("clients").split(",")) {
      int clients = Integer.parseInt(c.trim());
      closedLoop(clients, warmup);
      awaitAllEntries(CONVERGE);
      cpu = Cpu.start(cluster);
      long start = System.nanoTime();
      Outcome o = closedLoop(clients, ports);
      long end = System.nanoTime();
      awaitAllEntries(CONVERGE);
      long drained = System.nanoTime();
      cpuLines.add("CPU during " + clients + " clients (closed loop and drain): " + cpu.stop());
      long[] sorted = o.latencies.clone();
      Arrays.sort(sorted);
      line("| %d | %d | %d | %.0f | %.2f | %.2f | %.2f | %.0f |", clients, ports, o.errors,
          sorted.length / ((end - start) / 1e9), ms(p(sorted, 0.5)), ms(p(sorted, 0.99)),
          ms(sorted.length == 0 ? 0 : sorted[sorted.length - 1]), (drained - end) / 1e6);
    }
    line("");
    cpuLines.forEach(l -> line("%s", l));
    line("");
  }

  /** One sample: {ack, first host, last host, poll rounds, poll nanos}. */
  private long[] convergeOne() {
    String host = hosts.get(seq.get() % hosts.size());
    long t0 = System.nanoTime();
    Port port = ApiClient.await(api.async(PortServiceGrpcClient.CreatePort, vm(host)));
    long ack = System.nanoTime() - t0;
    String want = created(port);
    Map<String, Long> seen = new ConcurrentHashMap<>();
    long rounds = 0;
    long roundNanos = 0;
    Deadline deadline = new Deadline(CONVERGE, () -> "ARP entry " + want + " only on " + seen.keySet());
    while (seen.size() < hosts.size()) {
      deadline.check();
      long r0 = System.nanoTime();
      List<Future<Void>> round = new ArrayList<>();
      for (String h : hosts) {
        if (!seen.containsKey(h)) {
          round.add(state(h).map(listing -> {
            if (entries(listing).contains(want)) {
              seen.putIfAbsent(h, System.nanoTime());
            }
            return null;
          }));
        }
      }
      ApiClient.await(Future.all(round));
      rounds++;
      roundNanos += System.nanoTime() - r0;
    }
    long first = seen.values().stream().mapToLong(Long::longValue).min().orElseThrow() - t0;
    long last = seen.values().stream().mapToLong(Long::longValue).max().orElseThrow() - t0;
    return new long[] {ack, first, last, rounds, roundNanos};
  }

  /** Polls every host until each holds every expected entry. */
  private void awaitAllEntries(Duration atMost) {
    Set<String> pending = ConcurrentHashMap.newKeySet();
    pending.addAll(hosts);
    Deadline deadline = new Deadline(atMost, () -> "hosts lacking ARP entries: " + pending);
    while (!pending.isEmpty()) {
      deadline.check();
      List<Future<Void>> round = new ArrayList<>();
      for (String h : List.copyOf(pending)) {
        round.add(state(h).map(listing -> {
          if (entries(listing).containsAll(expected)) {
            pending.remove(h);
          }
          return null;
        }));
      }
      ApiClient.await(Future.all(round));
    }
  }

  private Future<HostStateListing> state(String host) {
    return api.async(AgentServiceGrpcClient.GetHostState,
        GetHostStateRequest.newBuilder().setHost(host).setNamespace(qrouter).build());
  }

  /** "ip lladdr mac" of every PERMANENT neighbour in the listing. */
  private static Set<String> entries(HostStateListing listing) {
    return listing.getSectionsList().stream().map(ListingSection::getText).flatMap(String::lines)
        .filter(l -> l.contains(" PERMANENT") && l.contains(" lladdr ")).map(l -> {
          String[] t = l.trim().split("\\s+");
          int i = Arrays.asList(t).indexOf("lladdr");
          return t[0] + " lladdr " + t[i + 1];
        }).collect(Collectors.toSet());
  }

  private CreatePortRequest vm(String host) {
    return Topology.vm(subnet, "vm-" + seq.incrementAndGet(), host);
  }

  private String created(Port port) {
    String entry = port.getFixedIps(0).getIpAddress() + " lladdr " + port.getMacAddress();
    expected.add(entry);
    return entry;
  }

  record Outcome(long[] latencies, int errors) {}

  /** {@code total} CreatePorts with {@code clients} in flight, each client sending its next at its reply. */
  private Outcome closedLoop(int clients, int total) {
    long[] lat = new long[total];
    boolean[] ok = new boolean[total];
    AtomicInteger issued = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    Promise<Void> finished = Promise.promise();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      int i = issued.getAndIncrement();
      if (i >= total) {
        return;
      }
      String host = hosts.get(i % hosts.size());
      long t0 = System.nanoTime();
      api.async(PortServiceGrpcClient.CreatePort, vm(host)).onComplete(ar -> {
        lat[i] = System.nanoTime() - t0;
        if (ar.succeeded() && ar.result().getFixedIpsCount() == 1) {
          ok[i] = true;
          created(ar.result());
        }
        if (done.incrementAndGet() == total) {
          finished.complete();
        } else {
          next[0].run();
        }
      });
    };
    cluster.rpc.vertx.runOnContext(v -> {
      for (int c = 0; c < Math.min(clients, total); c++) {
        next[0].run();
      }
    });
    ApiClient.await(finished.future());
    long[] good = new long[total];
    int n = 0;
    for (int i = 0; i < total; i++) {
      if (ok[i]) {
        good[n++] = lat[i];
      }
    }
    return new Outcome(Arrays.copyOf(good, n), total - n);
  }

  private static String pct(long[] samples) {
    long[] s = samples.clone();
    Arrays.sort(s);
    return String.format(Locale.ROOT, "%.1f | %.1f | %.1f", ms(p(s, 0.5)), ms(p(s, 0.99)), ms(s[s.length - 1]));
  }

  /** Nearest rank. */
  private static long p(long[] sorted, double q) {
    return sorted.length == 0 ? 0 : sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private void line(String format, Object... args) {
    String s = String.format(Locale.ROOT, format, args);
    report.append(s).append('\n');
    System.out.println(s);
  }

  /** CPU time per process (utime+stime from /proc/<pid>/stat) and of the machine, between start and stop. */
  private static final class Cpu {
    private final Cluster cluster;
    private final Map<String, Long> before;
    private final long[] machineBefore;
    private final long t0 = System.nanoTime();

    private Cpu(Cluster cluster) {
      this.cluster = cluster;
      this.before = sample(cluster);
      this.machineBefore = machine();
    }

    static Cpu start(Cluster cluster) {
      return new Cpu(cluster);
    }

    /** "% of one core" per process over the phase, and how busy the 2 cores were in all. */
    String stop() {
      double wall = (System.nanoTime() - t0) / 1e9;
      Map<String, Long> after = sample(cluster);
      long[] m = machine();
      StringBuilder out = new StringBuilder();
      double ours = 0;
      for (Map.Entry<String, Long> e : after.entrySet()) {
        double pct = (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / TICKS / wall * 100;
        ours += pct;
        out.append(String.format(Locale.ROOT, "%s %.0f %%, ", e.getKey(), pct));
      }
      double total = m[0] - machineBefore[0];
      double busy = total - (m[1] - machineBefore[1]);
      double cores = Runtime.getRuntime().availableProcessors();
      out.append(String.format(Locale.ROOT, "sum %.0f %% of one core; machine %.0f %% busy of %d cores (%.1f s)",
          ours, busy / total * 100, (int) cores, wall));
      return out.toString();
    }

    private static Map<String, Long> sample(Cluster cluster) {
      Map<String, Long> ticks = new LinkedHashMap<>();
      ticks.put("bench client", ticks(ProcessHandle.current().pid(), false));
      for (JvmProcess p : cluster.processes()) {
        ticks.put(p.name, ticks(p.pid(), false));
      }
      long pm = cluster.postgres.pid();
      long pg = ticks(pm, true);
      try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
        for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
          String[] f = fields(Long.parseLong(p.getFileName().toString()));
          if (f != null && Long.parseLong(f[1]) == pm) {
            pg += Long.parseLong(f[11]) + Long.parseLong(f[12]);
          }
        }
      } catch (IOException e) {
        // no /proc: no figure
      }
      ticks.put("postgres", pg);
      return ticks;
    }

    /** utime+stime (plus reaped children's, for the postmaster whose backends come and go). */
    private static long ticks(long pid, boolean children) {
      String[] f = fields(pid);
      if (f == null) {
        return 0;
      }
      long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return children ? t + Long.parseLong(f[13]) + Long.parseLong(f[14]) : t;
    }

    /** /proc/pid/stat after the command name: f[0] state, f[1] ppid, f[11] utime, f[12] stime, f[13..14] cutime, cstime. */
    private static String[] fields(long pid) {
      try {
        String s = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        return s.substring(s.lastIndexOf(')') + 2).split(" ");
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }

    /** {total, idle+iowait} jiffies of the machine. */
    private static long[] machine() {
      try {
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i <= 8 && i < cpu.length; i++) { // user .. steal (guest is inside user)
          total += Long.parseLong(cpu[i]);
        }
        return new long[] {total, Long.parseLong(cpu[4]) + Long.parseLong(cpu[5])};
      } catch (IOException e) {
        return new long[] {1, 0};
      }
    }
  }
}

package io.dvr.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Control-plane convergence with simulated hosts, everything in this JVM: port-to-ARP
 * convergence across N hosts ({@link ArpConvergence}) and an agent's full resync of a host
 * carrying many routers ({@link FullResync}). The hosts are in-memory models, so this measures
 * the control plane (database, services, event bus, agents' render and diff), not the kernel.
 */
public final class ConvergenceBench {

  record Options(List<Integer> hosts, int samples, int warmup, long gapMs, long pollMs, long seed, int routers,
      int restarts, Path out) {
    static Options parse(String[] args) {
      List<Integer> hosts = List.of(3, 50, 200);
      int samples = 50;
      int warmup = 5;
      long gap = 100;
      long poll = 0;
      long seed = 1;
      int routers = 1000;
      int restarts = 3;
      Path out = null;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          System.out.println("""
              usage: ConvergenceBench [--hosts 3,50,200] [--samples 50] [--warmup 5] [--gap-ms 100]
                                      [--poll-ms 0] [--seed 1] [--routers 1000] [--restarts 3] [--out FILE]
              --hosts 0 skips port-to-ARP convergence, --routers 0 skips the full resync.
              --poll-ms 0 notices an ARP entry right after the apply that installed it; --poll-ms P
              instead polls every host's model every P ms on a Vert.x periodic timer.
              --gap-ms: quiet time (no host applying anything) before each sample.""");
          System.exit(0);
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value after " + a);
        }
        String v = args[++i];
        switch (a) {
          case "--hosts" -> hosts = Arrays.stream(v.split(",")).map(String::trim).map(Integer::valueOf)
              .filter(n -> n > 0).toList();
          case "--samples" -> samples = Integer.parseInt(v);
          case "--warmup" -> warmup = Integer.parseInt(v);
          case "--gap-ms" -> gap = Long.parseLong(v);
          case "--poll-ms" -> poll = Long.parseLong(v);
          case "--seed" -> seed = Long.parseLong(v);
          case "--routers" -> routers = Integer.parseInt(v);
          case "--restarts" -> restarts = Integer.parseInt(v);
          case "--out" -> out = Path.of(v);
          default -> throw new IllegalArgumentException("unknown option " + a + " (try --help)");
        }
      }
      return new Options(hosts, samples, warmup, gap, poll, seed, routers, restarts, out);
    }
  }

  private ConvergenceBench() {}

  public static void main(String[] args) throws Exception {
    // Hundreds of agents logging every apply at INFO would cost more than what is measured.
    if (System.getenv("DVR_LOG_LEVEL") == null && System.getProperty("DVR_LOG_LEVEL") == null) {
      System.setProperty("DVR_LOG_LEVEL", "WARN");
    }
    Options o = Options.parse(args);
    List<ArpConvergence.Result> arp = new ArrayList<>();
    for (int n : o.hosts()) {
      arp.add(ArpConvergence.run(n, o));
    }
    FullResync.Result resync = o.routers() > 0 ? FullResync.run(o.routers(), o) : null;
    String report = Report.of(o, arp, resync);
    System.out.println();
    System.out.println(report);
    if (o.out() != null) {
      Files.writeString(o.out(), report + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    boolean failed = arp.stream().anyMatch(r -> r.failures() > 0);
    System.exit(failed ? 1 : 0); // a run with lost samples is not a valid measurement
  }

  static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  static String header(Options o) {
    return fmt("Control-plane convergence, %s, %d CPUs, Java %s; detection: %s", Instant.now(),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        o.pollMs() <= 0 ? "checked right after each apply of each host" : "polled every " + o.pollMs() + " ms");
  }
}

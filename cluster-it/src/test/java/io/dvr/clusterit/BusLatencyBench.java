package io.dvr.clusterit;

import io.dvr.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark, not a test (a main, so surefire never runs it): request/reply latency over the
 * clustered event bus between two JVMs on loopback, TLS with client certificates and the signed
 * routing against {@code insecure=true} (plaintext, Vert.x's plain Hazelcast routing). Per run: a
 * server process ({@link BusProbeMain} serve) and a client process that warms up, then sends
 * {@code --requests} requests one at a time (latency), then keeps {@code --in-flight} requests
 * outstanding for {@code --seconds} (throughput). Runs alternate between the modes
 * ({@code --rounds} each) so that the machine's drift hits both alike.
 *
 * <p>Options: --rounds 2 --requests 5000 --in-flight 32 --seconds 10 --out FILE (appends the table).
 */
public final class BusLatencyBench {
  private BusLatencyBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int rounds = Integer.parseInt(opt.getOrDefault("rounds", "2"));
    Map<String, String> benchEnv = Map.of("DVR_BENCH_REQUESTS", opt.getOrDefault("requests", "5000"),
        "DVR_BENCH_IN_FLIGHT", opt.getOrDefault("in-flight", "32"), "DVR_BENCH_SECONDS", opt.getOrDefault("seconds", "10"));
    List<String> rows = new ArrayList<>();
    rows.add("| mode | round | first answer | sequential p50 ms | p90 ms | p99 ms | max ms | " + benchEnv.get("DVR_BENCH_IN_FLIGHT")
        + " in flight: requests/s | p99 ms |");
    rows.add("|---|---|---|---|---|---|---|---|---|");
    for (int r = 1; r <= rounds; r++) {
      for (String mode : List.of("tls", "insecure")) {
        Map<String, String> extra = mode.equals("tls") ? Map.of() : Map.of("DVR_INSECURE", "true");
        try (ProbeCluster c = new ProbeCluster("bus-bench-" + mode, 2)) {
          Map<String, String> serverEnv = new java.util.HashMap<>(extra);
          serverEnv.put("DVR_PROBE_QUIET", "true");
          JvmProcess server = c.member(0, "server", "serve", serverEnv);
          Map<String, String> clientEnv = new java.util.HashMap<>(extra);
          clientEnv.putAll(benchEnv);
          JvmProcess client = c.member(1, "bench", "bench", clientEnv);
          ProbeCluster.awaitLog(client, 0, Duration.ofSeconds(300), "the benchmark", log -> log.contains("BENCH DONE"));
          String result = client.log().lines().filter(l -> l.startsWith("BENCH RESULT ")).findFirst().orElseThrow()
              .substring("BENCH RESULT ".length());
          String first = client.log().lines().filter(l -> l.startsWith("BENCH FIRST ")).findFirst().orElseThrow()
              .substring("BENCH FIRST ".length());
          rows.add("| " + mode + " | " + r + " | " + first + " | " + result + " |");
          System.out.println(rows.get(rows.size() - 1));
          server.stop();
        }
      }
    }
    String table = String.join("\n", rows) + "\n";
    System.out.print(table);
    if (opt.containsKey("out")) {
      Files.writeString(Path.of(opt.get("out")), table, java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    }
    System.exit(0);
  }

  /** In the client process: waits for the server, then measures; prints BENCH RESULT and BENCH DONE. */
  static void measure(Vertx vertx, Settings settings) {
    int requests = settings.getInt("bench.requests", 5000);
    int inFlight = settings.getInt("bench.in-flight", 32);
    long seconds = settings.getLong("bench.seconds", 10);
    long began = System.nanoTime();
    untilAnswered(vertx)
        .compose(v -> {
          // The first answer pays for the TLS handshakes (there and back) of two cold JVMs.
          System.out.println("BENCH FIRST " + (System.nanoTime() - began) / 1_000_000 + " ms");
          return sequential(vertx, 2000);
        })
        .compose(warm -> sequential(vertx, requests))
        .compose(seq -> concurrent(vertx, inFlight, seconds).map(conc -> {
          Arrays.sort(seq);
          Arrays.sort(conc);
          double rate = conc.length / (double) seconds;
          return String.format("%.3f | %.3f | %.3f | %.3f | %.0f | %.3f", ms(at(seq, 0.5)), ms(at(seq, 0.9)),
              ms(at(seq, 0.99)), ms(seq[seq.length - 1]), rate, ms(at(conc, 0.99)));
        }))
        .onComplete((line, err) -> {
          System.out.println(err == null ? "BENCH RESULT " + line : "BENCH FAILED " + err);
          System.out.println("BENCH DONE");
        });
  }

  private static Future<Void> untilAnswered(Vertx vertx) {
    Promise<Void> ready = Promise.promise();
    long timer = vertx.setPeriodic(20, t -> vertx.eventBus().request(BusProbeMain.ECHO, "warm",
        new DeliveryOptions().setSendTimeout(10_000)).onSuccess(r -> ready.tryComplete()));
    return ready.future().onComplete(x -> vertx.cancelTimer(timer));
  }

  private static Future<long[]> sequential(Vertx vertx, int count) {
    long[] nanos = new long[count];
    Promise<long[]> done = Promise.promise();
    next(vertx, nanos, 0, done);
    return done.future();
  }

  private static void next(Vertx vertx, long[] nanos, int i, Promise<long[]> done) {
    if (i == nanos.length) {
      done.complete(nanos);
      return;
    }
    long start = System.nanoTime();
    vertx.eventBus().request(BusProbeMain.ECHO, "bench:" + i, new DeliveryOptions().setSendTimeout(5000))
        .onSuccess(r -> {
          nanos[i] = System.nanoTime() - start;
          next(vertx, nanos, i + 1, done);
        }).onFailure(done::fail);
  }

  private static Future<long[]> concurrent(Vertx vertx, int inFlight, long seconds) {
    List<Long> all = new ArrayList<>();
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    Promise<long[]> done = Promise.promise();
    AtomicLong running = new AtomicLong(inFlight);
    for (int k = 0; k < inFlight; k++) {
      loop(vertx, end, all, running, done);
    }
    return done.future();
  }

  private static void loop(Vertx vertx, long end, List<Long> all, AtomicLong running, Promise<long[]> done) {
    if (System.nanoTime() >= end) {
      if (running.decrementAndGet() == 0) {
        done.complete(all.stream().mapToLong(Long::longValue).toArray());
      }
      return;
    }
    long start = System.nanoTime();
    vertx.eventBus().request(BusProbeMain.ECHO, "bench", new DeliveryOptions().setSendTimeout(5000))
        .onComplete((r, err) -> {
          if (err != null) {
            done.tryFail(err);
            return;
          }
          all.add(System.nanoTime() - start);
          loop(vertx, end, all, running, done);
        });
  }

  private static long at(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}

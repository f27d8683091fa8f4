package io.dvr.bench;

import java.util.Arrays;

/** Throughput and latency percentiles of one measured phase. */
record LatencyStats(int clients, int requests, int errors, double perSecond, double p50Ms, double p99Ms,
    double maxMs) {

  static final String HEADER = """
      | clients in flight | ports | errors | throughput (ports/s) | p50 (ms) | p99 (ms) | max (ms) |
      |---:|---:|---:|---:|---:|---:|---:|""";

  static LatencyStats of(int clients, ClosedLoop.Outcome outcome) {
    long[] sorted = outcome.latenciesNanos().clone();
    Arrays.sort(sorted);
    int ok = sorted.length;
    double seconds = outcome.wallNanos() / 1e9;
    return new LatencyStats(clients, ok + outcome.errors().size(), outcome.errors().size(),
        seconds > 0 ? ok / seconds : 0, ms(percentile(sorted, 0.50)), ms(percentile(sorted, 0.99)),
        ms(ok == 0 ? 0 : sorted[ok - 1]));
  }

  /** Nearest-rank percentile: the smallest sample with at least q of the samples at or below it. */
  static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  String row() {
    return String.format(java.util.Locale.ROOT, "| %d | %d | %d | %.0f | %.2f | %.2f | %.2f |",
        clients, requests, errors, perSecond, p50Ms, p99Ms, maxMs);
  }
}

package io.dvr.bench;

import static io.dvr.bench.ConvergenceBench.fmt;

import java.util.Arrays;
import java.util.List;

/** The Markdown tables of a ConvergenceBench run. */
final class Report {
  private Report() {}

  static String of(ConvergenceBench.Options o, List<ArpConvergence.Result> arp, FullResync.Result resync) {
    StringBuilder sb = new StringBuilder(ConvergenceBench.header(o)).append("\n");
    if (!arp.isEmpty()) {
      arp(sb, o, arp);
    }
    if (resync != null) {
      resync(sb, resync);
    }
    return sb.toString();
  }

  private static void arp(StringBuilder sb, ConvergenceBench.Options o, List<ArpConvergence.Result> results) {
    sb.append(fmt("%nPort-to-ARP convergence, ms from sending CreatePort (%d samples per row after %d warm-up):%n%n",
        o.samples(), o.warmup()));
    sb.append("| hosts | samples | lost | CreatePort reply p50 | first host p50 | all hosts p50 | all hosts p99 |"
        + " all hosts max |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (ArpConvergence.Result r : results) {
      sb.append(fmt("| %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f |%n", r.hosts(), r.samples(), r.failures(),
          p(r.apiNanos(), 0.5), p(r.firstNanos(), 0.5), p(r.allNanos(), 0.5), p(r.allNanos(), 0.99),
          p(r.allNanos(), 1.0)));
    }
    sb.append("\nWork per sample (event-bus messages, database transactions less heartbeats, host applies), and one"
        + " dvr host's apply timed outside its agent:\n\n");
    sb.append("| hosts | ResourceChanged | ArpUpdate sends | RoutersChanged | GetHostRouters | DB transactions |"
        + " host applies | full apply of a host (ms) | incremental apply adding one ARP entry (ms) |\n"
        + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (ArpConvergence.Result r : results) {
      sb.append(fmt("| %d | %.1f | %.1f | %.1f | %.1f | %.0f | %.1f | %.2f | %.2f |%n", r.hosts(),
          r.busPerSample().get(BusCounter.RESOURCE_CHANGED), r.busPerSample().get(BusCounter.ARP_UPDATE),
          r.busPerSample().get(BusCounter.ROUTERS_CHANGED), r.busPerSample().get(BusCounter.HOST_ROUTERS),
          r.dbTransactionsPerSample(), r.appliesPerSample(), r.fullApplyMs(), r.arpApplyMs()));
    }
    sb.append("\n| hosts | setup (s) | hosts that lost an ArpUpdate during setup | CPU while measuring |\n"
        + "|---:|---:|---:|---|\n");
    for (ArpConvergence.Result r : results) {
      sb.append(fmt("| %d | %.0f | %d | %s |%n", r.hosts(), r.setupSeconds(), r.lostInSetup(), r.cpu()));
    }
  }

  private static void resync(StringBuilder sb, FullResync.Result r) {
    sb.append(fmt("%nFull resync of one host carrying %d routers (set up in %.0f s), ms from starting the new"
        + " agent:%n%n", r.routers(), r.setupSeconds()));
    sb.append("| restart on | first fetch sent | its round trip | first apply | all routers held | applies |"
        + " fewest routers held | operations applied | state after vs before | RoutersChanged |"
        + " GetHostRouters |\n|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n");
    for (FullResync.Restart x : r.restarts()) {
      sb.append(fmt("| %s | %.0f | %.0f | %.0f | %.0f | %d | %d | %d | %s | %d | %d |%n", x.kind(),
          x.firstFetchSentMs(), x.firstFetchMs(), x.firstApplyMs(), x.syncedMs(), x.applies(), x.fewestRouters(),
          x.operations(), x.stateAfter(),
          x.routersChanged(), x.fetches()));
    }
    sb.append(fmt("%nTimed outside the agent, on a quiet control plane: fetching all %d routers from scheduler-svc"
        + " %.0f ms; render + diff + apply onto an empty host %.0f ms; the same again with nothing to apply %.0f ms"
        + " (medians of 5). CPU during the restarts: %s.%n", r.routers(), r.fetchMs(), r.applyEmptyMs(),
        r.applyNothingMs(), r.cpu()));
  }

  /** Nearest-rank percentile in milliseconds. */
  private static double p(long[] nanos, double q) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return LatencyStats.percentile(sorted, q) / 1e6;
  }
}

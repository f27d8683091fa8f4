package io.dvr.bench;

import io.dvr.agent.HostPipeline;
import io.dvr.agent.model.HostState;
import io.dvr.common.model.AgentModes;
import io.dvr.proto.v1.HostRouters;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Full resync of one host carrying R routers (each with its own network, /24 subnet and one VM
 * on the host). The agent is restarted on an emptied host (a new MemoryHost and no facts: it
 * must fetch, render and apply everything) and on the same host with its facts (nothing to
 * apply); each time until the first apply that holds all R routers.
 */
final class FullResync {
  static final String HOST = "host-000";
  /** Host-local numbers in flows: ofports and local VLANs. */
  private static final Pattern HOST_LOCAL_NUMBERS = Pattern.compile("(output:|in_port=|dl_vlan=|mod_vlan_vid:)\\d+");

  /** One restart; times are from the start of the new agent. */
  record Restart(String kind, double firstFetchSentMs, double firstFetchMs, double firstApplyMs,
      double syncedMs, long applies, int fewestRouters, long operations, String stateAfter, long routersChanged,
      long fetches) {}

  record Result(int routers, double setupSeconds, List<Restart> restarts, double fetchMs, double applyEmptyMs,
      double applyNothingMs, String cpu) {}

  private FullResync() {}

  static Result run(int routers, ConvergenceBench.Options o) throws Exception {
    Phases setup = new Phases(routers + " routers");
    try (ControlPlane cp = ControlPlane.start()) {
      SimHost host = new SimHost(HOST, AgentModes.DVR);
      cp.startAgent(host);
      cp.awaitAgentsReady(List.of(host), 60_000);
      setup.done("control plane and agent started");
      ClosedLoop.Outcome created = ClosedLoop.run(cp.clientContext(), 16, routers, i -> router(cp.api, i)).await();
      if (!created.errors().isEmpty()) {
        throw new IllegalStateException(created.errors().size() + " routers failed, e.g. " + created.errors().get(0));
      }
      setup.done("routers, networks, subnets and VMs created over the API, 16 routers in flight");
      Waits.until(cp.vertx, "the host holds all " + routers + " routers", 600_000, () -> host.qrouterCount() == routers);
      BusCounter bus = new BusCounter(cp.vertx);
      settle(cp.vertx, bus, host);
      setup.done("the agent holds them all");
      double setupSeconds = setup.totalSeconds();

      List<Restart> restarts = new ArrayList<>();
      CpuShare cpu = new CpuShare();
      SimHost current = host;
      for (int k = 0; k < o.restarts(); k++) {
        SimHost emptied = current.wiped();
        restarts.add(restart(cp, bus, current, emptied, "emptied host", routers));
        current = emptied;
        restarts.add(restart(cp, bus, current, current, "same host and facts", routers));
      }

      String cpuShare = cpu.since();
      double[] fetch = new double[5];
      double[] empty = new double[5];
      double[] nothing = new double[5];
      for (int i = 0; i < fetch.length; i++) {
        fetch[i] = ApplyCost.fetchMs(cp, HOST);
        HostRouters all = ApplyCost.fetch(cp, HOST);
        HostPipeline dataplane = ApplyCost.emptyHost(cp.vertx, host);
        empty[i] = ApplyCost.applyMs(dataplane, all);
        nothing[i] = ApplyCost.applyMs(dataplane, all);
      }
      return new Result(routers, setupSeconds, restarts, median(fetch), median(empty), median(nothing), cpuShare);
    }
  }

  /** One router with its network, subnet and a VM on the host (addresses chosen by the server). */
  private static Future<?> router(Api api, int i) {
    String cidr = String.format("10.%d.%d.0/24", 100 + i / 256, i % 256);
    return api.network("rnet-" + i, false).compose(net -> api.subnet(net.getId(), "rsub-" + i, cidr)
        .compose(sub -> api.router("r-" + i).compose(r -> api.addInterface(r.getId(), sub.getId()))
            .compose(r -> api.vmPort(net.getId(), sub.getId(), null, null, HOST))));
  }

  /** Stops the agent of {@code from} and times a new one on {@code to} until it holds every router. */
  private static Restart restart(ControlPlane cp, BusCounter bus, SimHost from, SimHost to, String kind, int routers)
      throws Exception {
    HostState before = observe(from);
    cp.stopAgent(from);
    AtomicLong firstApply = new AtomicLong();
    AtomicLong synced = new AtomicLong();
    AtomicInteger fewest = new AtomicInteger(Integer.MAX_VALUE);
    Promise<Void> done = Promise.promise();
    long appliesBefore = to.facts.applies();
    Map<String, Long> busBefore = bus.snapshot();
    // Runs inside the host's lock after each apply: a full sync renders one local VM port per router.
    to.facts.watch(facts -> {
      long now = System.nanoTime();
      firstApply.compareAndSet(0, now);
      int held = to.qrouterCount();
      fewest.accumulateAndGet(held, Math::min);
      if (held == routers && facts.portOfports().size() == routers && synced.compareAndSet(0, now)) {
        done.tryComplete();
      }
    });
    long t0 = System.nanoTime();
    cp.startAgent(to);
    done.future().await(300, TimeUnit.SECONDS);
    settle(cp.vertx, bus, to);
    to.facts.watch(facts -> {});
    BusCounter.Fetch fetch = bus.firstFetchSince(t0);
    Map<String, Long> busAfter = bus.snapshot();
    Restart r = new Restart(kind,
        fetch == null ? -1 : ms(fetch.sentNanos() - t0),
        fetch == null ? -1 : ms(fetch.repliedNanos() - fetch.sentNanos()),
        ms(firstApply.get() - t0), ms(synced.get() - t0), to.facts.applies() - appliesBefore, fewest.get(),
        to.agent.operationsSinceStart(), compare(before, observe(to)),
        BusCounter.delta(busBefore, busAfter, BusCounter.ROUTERS_CHANGED),
        BusCounter.delta(busBefore, busAfter, BusCounter.HOST_ROUTERS));
    System.out.printf("restart on %s: all %d routers after %.0f ms (%d applies)%n", kind, routers, r.syncedMs(),
        r.applies());
    return r;
  }

  /**
   * Waits until the host applied nothing and no event, notification or fetch went by for a
   * second: an agent's restart makes scheduler-svc reschedule every router the host may carry
   * and notify the host of each, which goes on well after the host holds its routers.
   */
  private static void settle(Vertx vertx, BusCounter bus, SimHost host) {
    Waits.until(vertx, "the control plane is quiet", 300_000, () -> bus.isQuiet(1000) && Waits.isQuiet(List.of(host), 1000));
  }

  /**
   * How the host's state after the restart compares with the state before it. On an emptied
   * host a re-plugged VM port gets a new ofport, as OVS would give it, and networks may get other
   * local VLANs; flows that differ only in those numbers count as the same otherwise.
   */
  private static String compare(HostState before, HostState after) {
    if (after.equals(before)) {
      return "identical";
    }
    boolean namespaces = after.namespaces().equals(before.namespaces());
    boolean flows = withoutOfports(after).equals(withoutOfports(before));
    return namespaces && flows ? "same but ofports, VLANs" : "DIFFERENT";
  }

  private static List<String> withoutOfports(HostState state) {
    List<String> flows = new ArrayList<>();
    state.bridges().forEach((name, bridge) -> bridge.flows().forEach(f -> flows.add(name + " " + f.table() + " "
        + f.priority() + " " + HOST_LOCAL_NUMBERS.matcher(f.match() + " " + f.actions()).replaceAll("$1N"))));
    flows.sort(null);
    return flows;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static HostState observe(SimHost host) {
    synchronized (host.memory) {
      return host.memory.observe();
    }
  }
}

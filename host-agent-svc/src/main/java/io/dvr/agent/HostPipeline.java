package io.dvr.agent;

import io.dvr.agent.driver.HostDriver;
import io.dvr.agent.driver.Hypervisor;
import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.HostState;
import io.dvr.agent.reconcile.Plan;
import io.dvr.agent.trace.Ingress;
import io.dvr.agent.trace.Packet;
import io.dvr.agent.trace.TraceMessages;
import io.dvr.agent.trace.TracedHost;
import io.dvr.agent.reconcile.Reconciler;
import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.HostParts;
import io.dvr.agent.render.HostRenderer;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.HostStateListing;
import io.dvr.proto.v1.TraceHostReply;
import io.dvr.proto.v1.TraceHostRequest;
import io.dvr.proto.v1.ListingSection;
import io.dvr.common.grpc.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.dvr.common.logging.LogFields;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import io.vertx.grpc.common.GrpcStatus;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's one pipeline, for every driver: facts from what the driver observed, render, diff,
 * execute. A change of some routers (an ARP entry, a floating IP, a port bound here or unbound) is
 * applied alone against the cache of the last full apply ({@link HostCache}) when it stays within
 * those routers' parts; anything else, and the first apply, goes in full. An apply repeats (at most three passes) while executing changed the facts: a SNAT port
 * gets its ofport only once plugged, and its flows need that ofport. Facts are saved after each
 * executed plan, so allocations in use survive a restart.
 *
 * <p>Blocking work runs on the setup's worker pool, never on the event loop, one apply at a time
 * per host: the driver object is the host's lock, held for a whole apply, a listing or a desired
 * state (others reading a simulated host take the same lock).
 */
public final class HostPipeline implements Dataplane {
  private static final Logger LOG = LoggerFactory.getLogger(HostPipeline.class);
  private static final int MAX_PASSES = 3;

  private final Vertx vertx;
  private final HostDriver driver;
  private final FactsStore store;
  private final Hypervisor hypervisor;
  private final HostConfig config;
  private final WorkerExecutor worker;
  private volatile Set<String> wired = Set.of();
  /** Guarded by the driver's lock. */
  private long applies;
  /** What the last full apply left, for applies of some routers; null: the next apply is in full. Guarded by the driver's lock. */
  private HostCache cache;
  /** Applies that re-rendered only the changed routers (tests read it). */
  private volatile long appliesAlone;
  /** Applies of the whole host (tests read it). */
  private volatile long appliesInFull;

  public HostPipeline(Vertx vertx, HostSetup setup, HostConfig config) {
    this.vertx = vertx;
    this.driver = setup.driver();
    this.store = setup.facts();
    this.hypervisor = setup.hypervisor();
    this.config = config;
    this.worker = vertx.createSharedWorkerExecutor(setup.workerPool(), setup.workerThreads(), 10, TimeUnit.MINUTES);
  }

  public HostDriver driver() {
    return driver;
  }

  @Override
  public Future<Integer> apply(HostRouters routers) {
    return apply(routers, Set.of());
  }

  @Override
  public Future<Integer> apply(HostRouters routers, Set<String> changedRouters) {
    Set<String> changed = Set.copyOf(changedRouters);
    // The worker's lines name the host, and the router when the apply is of one router.
    Map<String, String> fields = new HashMap<>();
    fields.put(LogFields.HOST, config.host());
    fields.put(LogFields.ROUTER, changed.size() == 1 ? changed.iterator().next() : null);
    long asked = System.nanoTime();
    return worker.executeBlocking(() -> LogFields.within(fields, () -> {
      synchronized (driver) {
        if (LOG.isDebugEnabled()) { // the hand-over to the worker is on a change's path too
          LOG.debug("host {}: apply of {} begins {} us after it was asked", config.host(),
              changed.isEmpty() ? "the whole host" : "routers " + changed, (System.nanoTime() - asked) / 1_000);
        }
        return changed.isEmpty() ? applyNow(routers) : applyChanged(routers, changed);
      }
    }));
  }

  /**
   * After VM ports were plugged or unplugged under the agent (the driver's monitor): the bridges'
   * ports are read, and only the routers naming a VM port that moved are applied, with the changed
   * routers; nothing when none does (a VM plugged for a port not bound here yet, or unplugged after
   * its port left). In full when anything but VM ports moved, or there is no cache.
   */
  @Override
  public Future<Integer> applyAfterPortsMoved(HostRouters routers, Set<String> changedRouters) {
    Set<String> changed = Set.copyOf(changedRouters);
    return worker.executeBlocking(() -> LogFields.within(Map.of(LogFields.HOST, config.host()), () -> {
      synchronized (driver) {
        if (cache == null) {
          return applyNow(routers);
        }
        HostCache.PortsRead read = plugAndReadPorts(cache.facts(), routers);
        Optional<Set<String>> moved = cache.routersOfMovedVmPorts(read);
        if (moved.isEmpty()) {
          cache = null;
          return applyNow(routers);
        }
        Set<String> apply = new java.util.TreeSet<>(changed);
        apply.addAll(moved.get());
        return apply.isEmpty() ? 0 : applyChanged(routers, apply, (previous, r) -> read, true);
      }
    }));
  }

  /**
   * Only the changed routers, against the cache of the last full apply; in full when there is no
   * cache (start, a failed apply) or the change reaches the host's facts or host-level state.
   */
  private int applyChanged(HostRouters routers, Set<String> changed) {
    return applyChanged(routers, changed, this::plugAndReadPorts, false);
  }

  private int applyChanged(HostRouters routers, Set<String> changed, HostCache.PortBinding binding, boolean portsMoved) {
    if (cache == null) {
      return applyNow(routers);
    }
    long started = System.nanoTime();
    LOG.debug("host {}: applying routers {} alone", config.host(), changed);
    Optional<HostCache.Increment> increment;
    try {
      increment = cache.plan(routers, changed, driver, binding, portsMoved);
    } catch (RuntimeException e) {
      LOG.debug("host {}: routers {} cannot be applied alone ({}); applying in full", config.host(), changed,
          e.getMessage());
      cache = null;
      return applyNow(routers);
    }
    if (increment.isEmpty()) {
      cache = null;
      return applyNow(routers);
    }
    Plan plan = increment.get().plan();
    if (LOG.isDebugEnabled()) { // with the apply's own line: how much of it is planning (a binding reads the ports)
      LOG.debug("host {}: routers {} planned ({} operations) in {} us", config.host(), changed, plan.size(),
          (System.nanoTime() - started) / 1_000);
    }
    try {
      driver.execute(plan);
      cache.executed(plan, driver, increment.get().namespaces());
      if (increment.get().factsChanged()) {
        store.save(cache.facts()); // floating-IP rule priorities and ofports taken or freed survive a restart
      }
      store.planExecuted(cache.facts());
      if (increment.get().bindingsChanged()) {
        wired = Set.copyOf(cache.facts().wiredPorts(routers));
      }
    } catch (RuntimeException e) {
      cache = null; // the host is not known any more: the next apply is in full
      throw e;
    }
    applies++;
    appliesAlone++;
    if (LOG.isDebugEnabled()) { // an ARP entry is one operation: at INFO every one of them would be a line
      LOG.debug("host {}: apply {} of routers {} ran {} operations in {} us", config.host(), applies, changed,
          plan.size(), (System.nanoTime() - started) / 1_000);
    }
    return plan.size();
  }

  /**
   * For a port bound here or unbound, applied alone: the VM ports plugged as the hypervisor does
   * (before the facts are read, as in a full apply), then only the bridges' ports as the switch
   * reported them (held in memory from ovsdb-server's monitor on Linux), not the namespaces or flows.
   */
  private HostCache.PortsRead plugAndReadPorts(HostFacts previous, HostRouters routers) {
    long started = System.nanoTime();
    hypervisor.plugBound(routers);
    SortedMap<String, BridgeState> ports = driver.reportedPorts();
    if (LOG.isDebugEnabled()) {
      LOG.debug("host {}: bridges' ports read in {} us", config.host(), (System.nanoTime() - started) / 1_000);
    }
    return new HostCache.PortsRead(ports, ObservedFacts.of(previous, config, routers, ports));
  }

  /** The whole apply, blocking, under the driver's lock; returns the operations executed. */
  private int applyNow(HostRouters routers) {
    cache = null;
    long started = System.nanoTime();
    hypervisor.plugBound(routers);
    HostState observed = driver.observe();
    HostFacts facts = ObservedFacts.of(previousFacts(routers), config, routers, observed.bridges());
    int total = 0;
    for (int pass = 1; pass <= MAX_PASSES; pass++) {
      HostRenderer.Rendered rendered = HostRenderer.renderParts(routers, facts);
      Plan plan = Reconciler.diff(rendered.state(), observed);
      if (LOG.isDebugEnabled()) {
        LOG.debug("host {}: pass {}: tunnel endpoints {}, tunnel ofports {}, plan:\n{}", config.host(), pass,
            HostParts.tunnelEndpoints(routers), facts.tunnelOfports(), plan);
      }
      driver.execute(plan);
      store.save(facts);
      store.planExecuted(facts);
      total += plan.size();
      if (plan.isEmpty()) {
        cache = HostCache.of(routers, facts, rendered, observed);
        break;
      }
      // Only the ports can have changed the facts: read them (cheap) before reading the host again.
      SortedMap<String, BridgeState> ports = driver.observePorts();
      HostFacts next = ObservedFacts.of(facts, config, routers, ports);
      if (next.equals(facts)) {
        cache = HostCache.of(routers, facts, rendered, observed);
        cache.executedInFull(plan);
        cache.tookPorts(ports); // read after the plan ran: a VM plugged next is told apart from our own ports
        break;
      }
      if (pass == MAX_PASSES) {
        break; // facts still moving: no cache, the next apply is in full again
      }
      facts = next;
      observed = afterPlan(rendered.state(), ports);
    }
    wired = Set.copyOf(facts.wiredPorts(routers));
    applies++;
    appliesInFull++;
    if (total > 0) {
      LOG.info("host {}: apply {} ran {} operations in {} ms", config.host(), applies, total,
          (System.nanoTime() - started) / 1_000_000);
    }
    return total;
  }

  /**
   * The host after a plan that ran through, without reading every namespace again: a driver
   * guarantees that {@code diff(desired, observe())} is then empty, so the namespaces and our flows
   * are as rendered; the ports (what moved the facts) are as just read.
   */
  static HostState afterPlan(HostState rendered, SortedMap<String, BridgeState> ports) {
    SortedMap<String, BridgeState> bridges = new TreeMap<>();
    ports.forEach((name, b) -> bridges.put(name, BridgeState.of(name,
        rendered.bridges().containsKey(name) ? rendered.bridges().get(name).flows() : List.of(), b.ports().values())));
    rendered.bridges().forEach((name, b) -> bridges.putIfAbsent(name, BridgeState.of(name, b.flows(), List.of())));
    return HostState.of(rendered.namespaces(), bridges);
  }

  private HostFacts previousFacts(HostRouters routers) {
    return store.load().orElseGet(() -> ObservedFacts.initial(config, routers));
  }

  /** What the host should hold for these routers with the facts it has now; changes nothing. Blocking. */
  public HostState desired(HostRouters routers) {
    synchronized (driver) {
      HostFacts facts = ObservedFacts.of(previousFacts(routers), config, routers, driver.observePorts());
      return HostRenderer.render(routers, facts);
    }
  }

  @Override
  public Future<TraceHostReply> trace(TraceHostRequest request, HostRouters view) {
    return worker.executeBlocking(() -> {
      Ingress ingress = TraceMessages.ingress(request);
      Packet packet = TraceMessages.packet(request);
      TracedHost host;
      synchronized (driver) {
        if (request.getLive()) {
          host = TracedHost.observed(config.host(), driver.observe(), view);
        } else {
          HostFacts facts = ObservedFacts.of(previousFacts(view), config, view, driver.observePorts());
          host = TracedHost.rendered(view, facts);
        }
      }
      return TraceMessages.reply(host.trace(ingress, packet), request.getLive() ? "observed" : "rendered");
    });
  }

  /** How many applies re-rendered and re-diffed only the routers they were told changed. */
  long appliesOfChangedRoutersOnly() {
    return appliesAlone;
  }

  /** How many applies observed, rendered and diffed the whole host. */
  long appliesOfTheWholeHost() {
    return appliesInFull;
  }

  @Override
  public Set<String> wiredPorts() {
    return wired;
  }

  @Override
  public void watch(Runnable hostChanged) {
    driver.watch(hostChanged);
  }

  @Override
  public void watchSwitch(Runnable flowsLost) {
    driver.watchSwitch(flowsLost);
  }

  @Override
  public Future<HostStateListing> print(String namespace) {
    return worker.executeBlocking(() -> {
      HostStateListing.Builder listing = HostStateListing.newBuilder().setHost(driver.host());
      synchronized (driver) {
        driver.listing(namespace).forEach((title, text) ->
            listing.addSections(ListingSection.newBuilder().setTitle(title).setText(text)));
      }
      // Only our namespaces are listed: one that is not there is not found, rather than empty.
      if (!namespace.isEmpty() && listing.getSectionsCount() == 0) {
        throw new ApiError(GrpcStatus.NOT_FOUND, "namespace '" + namespace + "' not found on host '"
            + driver.host() + "'");
      }
      return listing.build();
    });
  }

  /** Releases the worker, then the driver (its processes, pools and monitors). */
  public Future<Void> close() {
    return worker.close().eventually(() -> vertx.executeBlocking(() -> {
      driver.close();
      return null;
    })).mapEmpty();
  }
}

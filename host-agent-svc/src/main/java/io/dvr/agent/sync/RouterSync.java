package io.dvr.agent.sync;

import com.google.protobuf.Parser;
import io.dvr.agent.Dataplane;
import io.dvr.common.Metrics;
import io.dvr.agent.link.BusLink;
import io.dvr.agent.link.ControlLink;
import io.dvr.common.tracing.Tracing;
import io.opentelemetry.api.trace.SpanContext;
import io.dvr.common.security.HostProofs;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.ListHostsForRouterRequest;
import io.dvr.proto.v1.ListHostsForRouterResponse;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.ArpUpdate;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.GetHostStateRequest;
import io.dvr.proto.v1.HostAppliedAck;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.ListDvrMacsResponse;
import io.dvr.proto.v1.PortsWiredAck;
import io.dvr.proto.v1.FloatingIpChange;
import io.dvr.proto.v1.PortChange;
import io.dvr.proto.v1.RoutersChanged;
import io.dvr.proto.v1.HaState;
import io.dvr.proto.v1.SnatLeaseGrant;
import io.dvr.common.model.AgentModes;
import io.dvr.proto.v1.TraceHostRequest;
import io.dvr.proto.v1.TunnelEndpoint;
import io.dvr.common.grpc.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's view of its routers, kept level-triggered: at start it listens, gets its DVR MAC and
 * fully syncs every router it carries; then it follows RoutersChanged (refetch those routers),
 * ARP updates and peer announcements (patched in), the host changing under it (apply again), and
 * a periodic full resync as the safety net. This class only wires the parts of {@code
 * io.dvr.agent.sync} to the bus and the timer; each part owns its state and its transitions.
 *
 * <p>Ownership: everything the parts hold is used on one context, captured by {@link #start}
 * (see {@link SyncContext}); the public methods may be called from any thread and hop onto it.
 */
public final class RouterSync {
  private static final Logger LOG = LoggerFactory.getLogger(RouterSync.class);

  /** The delays of the sync; tests shorten them. */
  record Timings(long requestTimeoutMillis, long fetchRetryMillis, long macRetryMillis, long reportRetryMillis,
      Backoff applyBackoff, long snatLeaseRenewMillis, long snatHandoverMillis) {
    /** agent.snat-lease-renew-ms by default. */
    static final long SNAT_LEASE_RENEW_MILLIS = 200;
    /** agent.snat-handover-ms by default. */
    static final long SNAT_HANDOVER_MILLIS = 1_000;

    Timings(long requestTimeoutMillis, long fetchRetryMillis, long macRetryMillis, long reportRetryMillis,
        Backoff applyBackoff) {
      this(requestTimeoutMillis, fetchRetryMillis, macRetryMillis, reportRetryMillis, applyBackoff,
          SNAT_LEASE_RENEW_MILLIS, SNAT_HANDOVER_MILLIS);
    }

    static Timings of(long requestTimeoutMillis) {
      return of(requestTimeoutMillis, SNAT_LEASE_RENEW_MILLIS, SNAT_HANDOVER_MILLIS);
    }

    static Timings of(long requestTimeoutMillis, long snatLeaseRenewMillis, long snatHandoverMillis) {
      return new Timings(requestTimeoutMillis, 1_000, Math.min(requestTimeoutMillis, 2_000), 1_000, Backoff.APPLY,
          snatLeaseRenewMillis, snatHandoverMillis);
    }
  }

  /** The parts of a started sync; used on {@code ctx} only, except {@code Applier#applied()}. */
  private record Parts(SyncContext ctx, HostView view, RouterFetcher fetcher, Applier applier,
      WiredPortReporter reporter, AppliedStateReporter appliedReporter, DvrMacClaim mac, SnatLease lease,
      List<ControlLink.Subscription> consumers, Map<String, List<ArpUpdate>> arpHeardWhileFetching,
      ChangesAhead<PortChange> portChanges, ChangesAhead<FloatingIpChange> floatingIpChanges, long[] fetchesSent) {}

  /** The sync's lifecycle: not started, started with its parts, stopped (its outcome still readable). */
  private sealed interface Phase {}

  private record NotStarted() implements Phase {}

  private record Started(Parts parts) implements Phase {}

  /** {@code parts} is null when the sync was stopped before it started. */
  private record Stopped(Parts parts) implements Phase {}

  private final Vertx vertx;
  private final ControlLink link;
  private final String host;
  private final String mode;
  private final Dataplane dataplane;
  private final Timings timings;
  private final HostProofs.Sender proof;
  private volatile Phase phase = new NotStarted();
  /** The periodic full resync; set and cancelled on the sync's context. */
  private long resyncTimer = -1;

  public RouterSync(Vertx vertx, String host, String mode, Dataplane dataplane, long requestTimeoutMillis) {
    this(vertx, host, mode, dataplane, Timings.of(requestTimeoutMillis), HostProofs.Sender.NONE);
  }

  /** {@code proof}: signs the requests that speak for the host (its ports' status, its routers). */
  public RouterSync(Vertx vertx, String host, String mode, Dataplane dataplane, long requestTimeoutMillis,
      HostProofs.Sender proof) {
    this(vertx, host, mode, dataplane, Timings.of(requestTimeoutMillis), proof);
  }

  /**
   * {@code snatLeaseRenewMillis}: agent.snat-lease-renew-ms, how often a dvr_snat host renews its
   * SNAT lease; {@code snatHandoverMillis}: agent.snat-handover-ms, how long a drained host hands an
   * HA router's SNAT over ({@link SnatHandover}).
   */
  public RouterSync(Vertx vertx, String host, String mode, Dataplane dataplane, long requestTimeoutMillis,
      long snatLeaseRenewMillis, long snatHandoverMillis, HostProofs.Sender proof) {
    this(vertx, host, mode, dataplane, Timings.of(requestTimeoutMillis, snatLeaseRenewMillis, snatHandoverMillis),
        proof);
  }

  RouterSync(Vertx vertx, String host, String mode, Dataplane dataplane, Timings timings) {
    this(vertx, host, mode, dataplane, timings, HostProofs.Sender.NONE);
  }

  RouterSync(Vertx vertx, String host, String mode, Dataplane dataplane, Timings timings, HostProofs.Sender proof) {
    this(vertx, new BusLink(vertx), host, mode, dataplane, timings, proof);
  }

  /**
   * {@code link}: how the agent reaches the event bus (a member's, or a relay's stream: after a gap
   * in what it delivered, everything is fetched again).
   */
  public RouterSync(Vertx vertx, ControlLink link, String host, String mode, Dataplane dataplane,
      long requestTimeoutMillis, long snatLeaseRenewMillis, long snatHandoverMillis, HostProofs.Sender proof) {
    this(vertx, link, host, mode, dataplane, Timings.of(requestTimeoutMillis, snatLeaseRenewMillis, snatHandoverMillis),
        proof);
  }

  RouterSync(Vertx vertx, ControlLink link, String host, String mode, Dataplane dataplane, Timings timings,
      HostProofs.Sender proof) {
    this.link = link;
    this.proof = proof;
    this.vertx = vertx;
    this.host = host;
    this.mode = mode;
    this.dataplane = dataplane;
    this.timings = timings;
  }

  /**
   * Captures the sync's context (the caller's event loop, or a new one) and, on it, listens first
   * (so nothing is missed), then gets the DVR MAC and runs the first full sync. Completes once the
   * MAC is held and the first full sync asked for.
   *
   * @throws IllegalStateException when called on a worker thread (its state would not be confined)
   */
  public Future<Void> start(long resyncMillis) {
    Parts parts;
    synchronized (this) {
      if (!(phase instanceof NotStarted)) {
        return Future.failedFuture(new IllegalStateException("host " + host + ": the router sync was already started"));
      }
      parts = parts(SyncContext.capture(vertx, host));
      phase = new Started(parts);
    }
    Promise<Void> started = Promise.promise();
    parts.ctx().run(() -> startOnContext(parts, resyncMillis, started));
    return started.future();
  }

  /** The router's active SNAT host other than this one, as scheduler-svc has it now ("" for none). */
  private Future<String> activeSnatHost(String router, long timeoutMillis) {
    ListHostsForRouterRequest request = ListHostsForRouterRequest.newBuilder().setRouterId(router).build();
    return link.request(EventAddresses.LIST_HOSTS_FOR_ROUTER, request, ListHostsForRouterResponse.parser(),
        timeoutMillis, proof.options(request)).map(hosts -> hosts.getHostsList().stream()
            .filter(h -> h.getSnat() && h.getHaState() == HaState.HA_STATE_ACTIVE && !h.getDraining()
                && !h.getHost().equals(host))
            .map(RouterHost::getHost).findFirst().orElse(""));
  }

  private Parts parts(SyncContext ctx) {
    long timeout = timings.requestTimeoutMillis();
    HostView view = new HostView(ctx, host, mode);
    WiredPortReporter reporter = new WiredPortReporter(ctx, dataplane::wiredPorts,
        report -> link.request(EventAddresses.PORTS_WIRED, report, PortsWiredAck.parser(), timeout, proof.options(report)),
        timings.reportRetryMillis());
    ApplyMeters meters = new ApplyMeters(Metrics.service(Metrics.hostAgent(host)), host);
    AppliedState appliedState = new AppliedState(ctx, Clock.systemUTC());
    AppliedStateReporter appliedReporter = new AppliedStateReporter(ctx,
        report -> link.request(EventAddresses.HOST_APPLIED, report, HostAppliedAck.parser(), timeout,
            proof.options(report)),
        timings.reportRetryMillis());
    // Set below: the lease and the applier need each other (the lease re-applies roles, the applier reads them).
    AtomicReference<Applier> applierRef = new AtomicReference<>();
    AtomicReference<RouterFetcher> fetcherRef = new AtomicReference<>();
    SnatLease lease = new SnatLease(ctx, timings.snatLeaseRenewMillis(),
        (renewal, timeoutMillis) -> link.request(EventAddresses.SNAT_LEASE, renewal, SnatLeaseGrant.parser(),
            timeoutMillis, proof.options(renewal)),
        () -> SnatLease.activeRouters(applierRef.get().applied().view()),
        () -> rolesChanged(view, applierRef.get()), () -> fetcherRef.get().wantAll(), System::nanoTime);
    SnatHandover handover = new SnatHandover(ctx, timings.snatHandoverMillis(), () -> applierRef.get().applied().view(),
        ids -> applierRef.get().requestRouters(ids), router -> activeSnatHost(router,
            Math.min(timeout, Math.max(1, timings.snatHandoverMillis()))));
    // Each apply takes the wanted view once, with the SNAT being handed over kept, then the roles
    // the SNAT lease allows now (a host without its lease gives up even what it hands over): what
    // its routers were read from is noted with it.
    Supplier<Optional<HostRouters>> wanted = () -> {
      Optional<HostRouters> w = view.wanted().map(handover::apply).map(lease::roles);
      w.ifPresent(h -> appliedState.attempt(h, view.routerSnapshots()));
      return w;
    };
    // The HA routers whose addresses the last apply left held: a change is renewed at once (a drain waits for it).
    AtomicReference<List<String>> claims = new AtomicReference<>(List.of());
    Applier applier = new Applier(ctx, dataplane, wanted, timings.applyBackoff(), new Applier.Outcome() {
      @Override
      public void applied(HostRouters wanted, int operations, boolean inFull, long nanos) {
        meters.applied(inFull, operations, nanos);
        appliedState.succeeded();
        appliedReporter.report(appliedState.report());
        List<String> held = SnatLease.activeRouters(wanted);
        if (!held.equals(claims.getAndSet(held))) {
          lease.claimsChanged();
        }
        reporter.request();
        if (operations > 0 && inFull) {
          LOG.info("host {}: applied {} operations for {} routers", host, operations, wanted.getRoutersCount());
        } else if (operations > 0) {
          // Some routers' change (a port's ARP entry on every host of its router): a line per port
          // event per host at INFO would be most of an agent's log, and 9 % of its event loop.
          LOG.debug("host {}: applied {} operations for {} routers (some of them)", host, operations,
              wanted.getRoutersCount());
        }
      }

      @Override
      public void failed(Throwable err, long retryMillis) {
        meters.failed();
        appliedState.failed(err);
        appliedReporter.report(appliedState.report());
        LOG.warn("host {}: apply failed ({}); trying again in {} ms", host, err.getMessage(), retryMillis);
      }
    });
    applierRef.set(applier);
    // When the fetch on its way was sent (one at a time): the SNAT lease trusts only views fetched after it was taken.
    long[] fetchSentAt = {0};
    // Per router, the ARP updates heard while a fetch covering it was on its way (see onArpUpdate).
    Map<String, List<ArpUpdate>> arpHeard = new HashMap<>();
    // The port and floating IP changes taken ahead of their fetch (see onRoutersChanged), and the fetches sent so far.
    ChangesAhead<PortChange> portChanges = ChangesAhead.ports(ctx, Metrics.service(Metrics.hostAgent(host)), host);
    ChangesAhead<FloatingIpChange> floatingIpChanges = ChangesAhead.floatingIps(ctx,
        Metrics.service(Metrics.hostAgent(host)), host);
    long[] fetchesSent = {0};
    RouterFetcher fetcher = new RouterFetcher(ctx,
        request -> {
          fetchSentAt[0] = System.nanoTime();
          fetchesSent[0]++;
          return link.request(EventAddresses.GET_HOST_ROUTERS, request, HostRouters.parser(), timeout,
              proof.options(request));
        },
        timings.fetchRetryMillis(), (scope, reply) -> {
          view.take(scope, reply);
          refetchArpNotHeld(scope, view, arpHeard, fetcherRef.get());
          Set<String> retaken = portChanges.fetched(view, reply, fetchesSent[0]);
          retaken.addAll(floatingIpChanges.fetched(view, reply, fetchesSent[0]));
          if (scope instanceof FetchScope.Routers some) {
            // The host part came too: the pipeline sees if it changed.
            Set<String> ids = new TreeSet<>(some.ids());
            ids.addAll(retaken);
            applier.requestRouters(ids);
          } else {
            lease.viewTaken(fetchSentAt[0]);
            applier.request();
          }
        });
    fetcherRef.set(fetcher);
    DvrMacClaim mac = new DvrMacClaim(ctx,
        request -> link.request(EventAddresses.ALLOCATE_DVR_MAC, request, DvrHostMac.parser(), timeout),
        timings.macRetryMillis());
    return new Parts(ctx, view, fetcher, applier, reporter, appliedReporter, mac, lease, new ArrayList<>(), arpHeard,
        portChanges, floatingIpChanges, fetchesSent);
  }

  /**
   * A fetch was taken: the routers it covers that had ARP updates while it was on its way are
   * fetched again only when the view does not hold what those updates said (the reply's table was
   * read before them). One that holds it lost nothing to the reply, and is not fetched twice.
   */
  private void refetchArpNotHeld(FetchScope scope, HostView view, Map<String, List<ArpUpdate>> heard,
      RouterFetcher fetcher) {
    if (heard.isEmpty()) {
      return;
    }
    List<String> again = new ArrayList<>();
    for (var it = heard.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (scope.covers(e.getKey())) {
        it.remove();
        if (!view.holdsArp(e.getKey(), e.getValue())) {
          again.add(e.getKey());
        }
      }
    }
    if (!again.isEmpty()) {
      LOG.debug("host {}: the fetched ARP tables of {} predate updates heard meanwhile; fetching them again", host, again);
      fetcher.want(FetchScope.routers(again));
    }
  }

  /**
   * The SNAT lease was taken or lost: the HA routers the control plane made this host ACTIVE for,
   * and those it holds as last applied, are applied again (alone) with the roles the lease allows.
   */
  private static void rolesChanged(HostView view, Applier applier) {
    Set<String> ids = new TreeSet<>(SnatLease.activeRouters(applier.applied().view()));
    view.wanted().ifPresent(w -> w.getRoutersList().stream()
        .filter(r -> r.getHa() && r.getSnatHere() && r.getHaState() == HaState.HA_STATE_ACTIVE)
        .forEach(r -> ids.add(r.getRouterId())));
    if (!ids.isEmpty()) {
      applier.requestRouters(ids);
    }
  }

  private void startOnContext(Parts p, long resyncMillis, Promise<Void> started) {
    p.ctx().check("starting the router sync");
    if (!(phase instanceof Started s) || s.parts() != p) {
      return; // stopped before it started
    }
    dataplane.watch(() -> p.ctx().run(() -> {
      LOG.debug("host {}: a VM port was plugged or unplugged; applying again", host);
      p.applier().requestPortsMoved();
    }));
    // The switch restarted empty: every flow goes back with a full fetch and apply (the full apply
    // reads the host afresh), not at the next periodic resync.
    dataplane.watchSwitch(() -> p.ctx().run(() -> p.fetcher().wantAll()));
    listen(p, EventAddresses.routersChanged(host), RoutersChanged.parser(), change -> onRoutersChanged(p, change));
    listen(p, EventAddresses.arpUpdate(host), ArpUpdate.parser(), update -> onArpUpdate(p, update));
    listen(p, EventAddresses.DVR_MACS, ListDvrMacsResponse.parser(),
        macs -> onPeerChange(p, () -> p.view().patchPeerMacs(macs.getMacsList())));
    listen(p, EventAddresses.TUNNEL_ENDPOINTS, TunnelEndpoint.parser(), endpoint -> onTunnelEndpoint(p, endpoint));
    p.consumers().add(link.serve(EventAddresses.hostState(host), GetHostStateRequest.parser(),
        req -> dataplane.print(req.getNamespace())));
    p.consumers().add(link.serve(EventAddresses.hostTrace(host), TraceHostRequest.parser(), req -> {
      // The view is read on the sync's context (where this consumer runs), then walked on the pipeline's worker.
      p.ctx().check("tracing a packet");
      return p.view().wanted().map(view -> dataplane.trace(req, view))
          .orElseGet(() -> Future.failedFuture(ApiError.failedPrecondition("host '" + host
              + "' has not synced its routers yet: nothing to trace")));
    }));
    // Messages sent while the link was down are lost: everything is fetched again (level-triggered).
    link.onGap(() -> p.ctx().run(() -> {
      LOG.info("host {}: the link to the control plane was lost and is back; fetching everything again", host);
      p.fetcher().wantAll();
    }));
    resyncTimer = p.ctx().periodic(resyncMillis, () -> p.fetcher().wantAll());
    if (AgentModes.DVR_SNAT.equals(mode)) {
      p.lease().start(); // only SNAT hosts hold HA routers' addresses
    }
    p.mac().claim().onSuccess(mac -> {
      p.view().takeDvrMac(mac);
      p.fetcher().wantAll();
      started.complete();
    });
  }

  /**
   * The message's trace (its bus span, current only on the consumer's own context) is taken before
   * hopping onto the sync's context: the apply that follows continues it.
   */
  private <T> void listen(Parts p, String address, Parser<T> parser, Consumer<T> handler) {
    p.consumers().add(link.listen(address, parser, message -> {
      Optional<SpanContext> cause = Tracing.currentSpan();
      p.ctx().run(() -> {
        p.applier().causedBy(cause);
        handler.accept(message);
      });
    }));
  }

  /**
   * The routers named are fetched. The port and floating IP changes told with them are taken into
   * the view and applied first, without waiting for that fetch: a port bound here has its flows
   * (a floating IP its rule and NAT) as soon as its change is heard. The fetch still follows once
   * that apply is done (what the host reports as applied is what it fetched, and it brings
   * whatever a change could not say); a change heard while another fetch is on its way is taken
   * again after that one's reply ({@link ChangesAhead}).
   */
  private void onRoutersChanged(Parts p, RoutersChanged change) {
    long heard = System.nanoTime();
    LOG.debug("host {}: routers changed: {}{}{}{}", host, change.getRouterIdsList(), change.getFullSync() ? " (all)" : "",
        change.getPortsCount() == 0 ? "" : ", ports " + change.getPortsList().stream().map(PortChange::getPortId).toList(),
        change.getFloatingIpsCount() == 0 ? "" : ", floating IPs "
            + change.getFloatingIpsList().stream().map(FloatingIpChange::getFloatingIpId).toList());
    Set<String> touched = p.portChanges().take(p.view(), change.getPortsList(), p.fetchesSent()[0]);
    touched.addAll(p.floatingIpChanges().take(p.view(), change.getFloatingIpsList(), p.fetchesSent()[0]));
    FetchScope scope = change.getFullSync() ? FetchScope.all() : FetchScope.routers(change.getRouterIdsList());
    if (touched.isEmpty()) {
      p.fetcher().want(scope);
      return;
    }
    p.applier().requestRouters(touched);
    // The fetch is not on the port's path: it waits for that apply rather than compete with it for the host's CPUs.
    p.applier().afterApplies(() -> p.fetcher().want(scope));
    if (LOG.isDebugEnabled()) {
      LOG.debug("host {}: changes of {} taken and their apply asked for in {} us", host, touched,
          (System.nanoTime() - heard) / 1_000);
    }
  }

  /**
   * Patched into a held router and applied; fetched instead when the router is not held. When a
   * fetch on its way covers the router it is patched and applied all the same (a port bound here
   * is fetched as its entry comes: the entry must not wait for that fetch), and kept: that fetch's
   * reply may carry an older table and replace the patch, so once it is taken the router is
   * fetched again unless the view holds what the updates said ({@link #refetchArpNotHeld}).
   */
  private void onArpUpdate(Parts p, ArpUpdate update) {
    boolean fetching = p.fetcher().fetching(update.getRouterId());
    if (p.view().patchArp(update) == HostView.Patch.NOT_HELD) {
      p.fetcher().want(FetchScope.routers(List.of(update.getRouterId())));
      return;
    }
    p.applier().requestRouters(List.of(update.getRouterId()));
    if (fetching) {
      p.arpHeardWhileFetching().computeIfAbsent(update.getRouterId(), k -> new ArrayList<>()).add(update);
    }
  }

  /** A host's tunnel endpoint was registered, changed or removed (empty): patched in, as DVR MACs are. */
  private void onTunnelEndpoint(Parts p, TunnelEndpoint endpoint) {
    if (endpoint.getHost().equals(host)) {
      return;
    }
    onPeerChange(p, () -> {
      HostView.Patch patch = p.view().patchTunnelEndpoint(endpoint);
      if (patch == HostView.Patch.PATCHED) {
        LOG.info("host {}: tunnel endpoint of {} is now {}", host, endpoint.getHost(),
            endpoint.getTunnelIp().isEmpty() ? "gone" : endpoint.getTunnelIp());
      }
      return patch;
    });
  }

  /**
   * A peer announcement (DVR MACs, a tunnel endpoint) is patched in and applied; while any fetch
   * is on its way, whose reply may predate it and replaces the peers, everything is fetched again
   * after it instead. Before the first full sync there is nothing to patch: it reads the peers.
   */
  private void onPeerChange(Parts p, Supplier<HostView.Patch> patch) {
    if (p.fetcher().busy()) {
      p.fetcher().wantAll();
    } else if (patch.get() == HostView.Patch.PATCHED) {
      p.applier().request();
    }
  }

  /** Stops every part (late replies and timers find them stopped) and stops listening. */
  public Future<Void> stop() {
    Parts p;
    synchronized (this) {
      if (!(phase instanceof Started s)) {
        phase = phase instanceof NotStarted ? new Stopped(null) : phase;
        return Future.succeededFuture();
      }
      p = s.parts();
      phase = new Stopped(p);
    }
    Promise<Void> stopped = Promise.promise();
    p.ctx().run(() -> {
      p.ctx().check("stopping the router sync");
      if (resyncTimer >= 0) {
        p.ctx().cancel(resyncTimer);
      }
      p.mac().stop();
      p.fetcher().stop();
      p.applier().stop();
      p.reporter().stop();
      p.appliedReporter().stop();
      p.lease().stop();
      Future.join(p.consumers().stream().map(ControlLink.Subscription::cancel).toList())
          .<Void>mapEmpty().onComplete(stopped);
    });
    return stopped.future();
  }

  /** Asks for a full sync now, from any thread (tests, operators); before start there is one coming anyway. */
  public void resync() {
    if (phase instanceof Started s) {
      s.parts().ctx().run(() -> s.parts().fetcher().wantAll());
    }
  }

  /**
   * Called off the sync's context: completes on it once everything queued there before has run (messages
   * delivered, replies taken): tests order their steps with it instead of waiting for time.
   */
  Future<Void> settled() {
    Phase now = phase;
    Parts p = now instanceof Started s ? s.parts() : now instanceof Stopped st ? st.parts() : null;
    if (p == null) {
      return Future.succeededFuture();
    }
    Promise<Void> settled = Promise.promise();
    p.ctx().run(settled::complete);
    return settled.future();
  }

  private Applier.Applied applied() {
    Phase now = phase;
    if (now instanceof Started s) {
      return s.parts().applier().applied();
    }
    return now instanceof Stopped st && st.parts() != null ? st.parts().applier().applied() : Applier.Applied.NONE;
  }

  /** Operations applied by the last apply (0: the host already held the wanted state). */
  public int lastApplied() {
    return applied().lastOperations();
  }

  /** Operations applied since this agent started (0 after a restart onto an unchanged host). */
  public long operationsSinceStart() {
    return applied().operationsSinceStart();
  }

  /** Whether a full sync has been fetched and applied since start. */
  public boolean syncedOnce() {
    return applied().syncedOnce();
  }

  /** The peers' tunnel endpoints the host was last made to hold, by host. */
  public Map<String, String> appliedTunnelEndpoints() {
    return applied().tunnelEndpoints();
  }
}

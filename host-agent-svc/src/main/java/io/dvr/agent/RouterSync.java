package io.dvr.agent;

import io.dvr.common.KeyedWork;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.AllocateDvrMacRequest;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.ArpUpdate;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.GetHostStateRequest;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.ListDvrMacsResponse;
import io.dvr.proto.v1.PortsWired;
import io.dvr.proto.v1.PortsWiredAck;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RoutersChanged;
import io.dvr.proto.v1.TunnelEndpoint;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's view of its routers, kept level-triggered: at start it gets its DVR MAC and fully
 * syncs every router it carries; then it follows RoutersChanged (refetch those routers), ARP
 * updates and DVR MAC announcements; a periodic full resync is the safety net. Every change is
 * applied through the {@link Dataplane}, one apply at a time, merged when they queue up.
 */
final class RouterSync {
  private static final Logger LOG = LoggerFactory.getLogger(RouterSync.class);
  private static final String APPLY = "apply";
  private static final String REPORT = "report";
  private static final long RETRY_MILLIS = 1000;
  private static final long MAX_APPLY_BACKOFF_MILLIS = 30_000;

  private final Vertx vertx;
  private final String host;
  private final Dataplane dataplane;
  private final long requestTimeout;
  private final KeyedWork<String> applies;
  private final KeyedWork<String> fetches;
  /** Tells the control plane which ports the host has wired, when that changed; one report at a time. */
  private final KeyedWork<String> reports;
  /** The wired ports the control plane last acknowledged (null: none reported since start). */
  private Set<String> reportedWired;
  private final Set<String> pendingRouters = new TreeSet<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private HostRouters.Builder state;
  private final Map<String, RouterInfo> routers = new TreeMap<>();
  private boolean fullSyncPending;
  private long resyncTimer = -1;
  private int lastApplied;
  private long operationsSinceStart;
  private boolean fullSyncFetched;
  private boolean syncedOnce;
  private volatile boolean stopped;
  private long applyBackoff;
  /** Routers whose fetch is on its way: an ARP update for them is refetched rather than patched. */
  private final Set<String> fetching = new TreeSet<>();
  private boolean fetchingAll;
  /** The context everything above is used on: set at start, entered by calls from other threads. */
  private volatile Context context;
  /** The peers' tunnel endpoints of the last successful apply (read from any thread). */
  private volatile Map<String, String> appliedTunnelEndpoints = Map.of();

  RouterSync(Vertx vertx, String host, String mode, Dataplane dataplane, long requestTimeout) {
    this.vertx = vertx;
    this.host = host;
    this.dataplane = dataplane;
    this.requestTimeout = requestTimeout;
    this.state = HostRouters.newBuilder().setHost(host).setAgentMode(mode);
    this.applies = new KeyedWork<>("apply on host " + host, k -> applyNow());
    this.fetches = new KeyedWork<>("router fetch on host " + host, k -> fetchPending());
    this.reports = new KeyedWork<>("port status report of host " + host, k -> reportWired());
  }

  /** Listens first (so nothing is missed), then gets the DVR MAC and runs the first full sync. */
  Future<Void> start(long resyncMillis) {
    context = vertx.getOrCreateContext();
    dataplane.watch(this::hostChanged);
    consumers.add(Bus.listen(vertx, EventAddresses.routersChanged(host), RoutersChanged.parser(), this::onRoutersChanged));
    consumers.add(Bus.listen(vertx, EventAddresses.arpUpdate(host), ArpUpdate.parser(), this::onArpUpdate));
    consumers.add(Bus.listen(vertx, EventAddresses.DVR_MACS, ListDvrMacsResponse.parser(), this::onDvrMacs));
    consumers.add(Bus.listen(vertx, EventAddresses.TUNNEL_ENDPOINTS, TunnelEndpoint.parser(), this::onTunnelEndpoint));
    consumers.add(Bus.serve(vertx, EventAddresses.hostState(host), GetHostStateRequest.parser(),
        req -> dataplane.print(req.getNamespace())));
    resyncTimer = vertx.setPeriodic(resyncMillis, id -> requestFullSync());
    return allocateMac().onSuccess(v -> requestFullSync());
  }

  void stop() {
    stopped = true;
    if (resyncTimer >= 0) {
      vertx.cancelTimer(resyncTimer);
    }
    consumers.forEach(MessageConsumer::unregister);
  }

  private Future<Void> allocateMac() {
    Promise<Void> done = Promise.promise();
    tryAllocate(done);
    return done.future();
  }

  private void tryAllocate(Promise<Void> done) {
    Bus.request(vertx, EventAddresses.ALLOCATE_DVR_MAC, AllocateDvrMacRequest.newBuilder().setHost(host).build(),
            DvrHostMac.parser(), requestTimeout)
        .onSuccess(mac -> {
          LOG.info("host {} has DVR MAC {}", host, mac.getMacAddress());
          state.setDvrMac(mac.getMacAddress());
          done.complete();
        })
        .onFailure(err -> {
          LOG.warn("host {}: DVR MAC allocation failed ({}); retrying", host, err.getMessage());
          vertx.setTimer(Math.min(requestTimeout, 2000), id -> tryAllocate(done));
        });
  }

  void requestFullSync() {
    fullSyncPending = true;
    fetches.request("fetch");
  }

  /** A full sync asked for from any thread (tests, operators); before start there is one coming anyway. */
  void requestFullSyncFromAnyThread() {
    onContext(this::requestFullSync);
  }

  /** The host changed under the agent (a VM plugged): apply again, with the routers held. */
  private void hostChanged() {
    onContext(() -> {
      LOG.debug("host {}: a VM port was plugged or unplugged; applying again", host);
      applies.request(APPLY);
    });
  }

  private void onContext(Runnable action) {
    Context c = context;
    if (c == null || stopped) {
      return;
    }
    c.runOnContext(v -> {
      if (!stopped) {
        action.run();
      }
    });
  }

  private void onRoutersChanged(RoutersChanged change) {
    pendingRouters.addAll(change.getRouterIdsList());
    fetches.request("fetch");
  }

  /** Fetches the pending routers (or all, for a full sync) in one request and applies. */
  private Future<?> fetchPending() {
    boolean full = fullSyncPending;
    List<String> ids = full ? List.of() : List.copyOf(pendingRouters);
    fullSyncPending = false;
    pendingRouters.clear();
    if (!full && ids.isEmpty()) {
      return Future.succeededFuture();
    }
    GetHostRoutersRequest request = GetHostRoutersRequest.newBuilder().setHost(host).addAllRouterIds(ids).build();
    fetching.addAll(ids);
    fetchingAll = full;
    return Bus.request(vertx, EventAddresses.GET_HOST_ROUTERS, request, HostRouters.parser(), requestTimeout)
        .onComplete(done -> {
          fetching.clear();
          fetchingAll = false;
        })
        .onSuccess(fetched -> {
          if (stopped) {
            return;
          }
          Map<String, RouterInfo> got = new LinkedHashMap<>();
          fetched.getRoutersList().forEach(r -> got.put(r.getRouterId(), r));
          if (full) {
            routers.clear();
          } else {
            ids.forEach(routers::remove);
          }
          routers.putAll(got);
          fullSyncFetched |= full;
          String mac = state.getDvrMac();
          state = fetched.toBuilder().clearRouters();
          if (state.getDvrMac().isEmpty()) {
            state.setDvrMac(mac);
          }
          applies.request(APPLY);
        })
        .onFailure(err -> {
          // Keep what was asked for and ask again shortly (a scheduler instance may just have died).
          fullSyncPending |= full;
          pendingRouters.addAll(ids);
          if (!stopped) {
            vertx.setTimer(RETRY_MILLIS, id -> fetches.request("fetch"));
          }
        });
  }

  private void onArpUpdate(ArpUpdate update) {
    RouterInfo router = routers.get(update.getRouterId());
    if (router == null || fetchingAll || fetching.contains(update.getRouterId())) {
      // Not held yet, or a fetch on its way may carry an older table: fetch the router again.
      onRoutersChanged(RoutersChanged.newBuilder().setHost(host).addRouterIds(update.getRouterId()).build());
      return;
    }
    Map<String, ArpEntry> entries = new TreeMap<>();
    router.getArpEntriesList().forEach(e -> entries.put(e.getIpAddress(), e));
    update.getRemoveList().forEach(e -> entries.remove(e.getIpAddress()));
    update.getAddList().forEach(e -> entries.put(e.getIpAddress(), e));
    routers.put(router.getRouterId(), router.toBuilder().clearArpEntries().addAllArpEntries(entries.values()).build());
    applies.request(APPLY);
  }

  /**
   * A host got its DVR MAC: the peers' MACs are patched in (the tunnel endpoint of a new host
   * comes on its own, {@link #onTunnelEndpoint}). Nothing to patch before the first full sync,
   * which reads both; while a fetch is on its way it may carry an older list: fetch all again.
   */
  private void onDvrMacs(ListDvrMacsResponse macs) {
    if (!patchable()) {
      return;
    }
    List<DvrHostMac> peers = macs.getMacsList().stream().filter(m -> !m.getHost().equals(host))
        .sorted(Comparator.comparing(DvrHostMac::getHost)).toList();
    List<DvrHostMac> held = state.getPeerMacsList().stream().sorted(Comparator.comparing(DvrHostMac::getHost)).toList();
    if (!peers.equals(held)) {
      state.clearPeerMacs().addAllPeerMacs(peers);
      applies.request(APPLY);
    }
  }

  /** A host's tunnel endpoint was registered, changed or removed (empty): patched in, as DVR MACs are. */
  private void onTunnelEndpoint(TunnelEndpoint endpoint) {
    if (endpoint.getHost().equals(host) || !patchable()) {
      return;
    }
    String held = state.getTunnelEndpointsOrDefault(endpoint.getHost(), "");
    if (held.equals(endpoint.getTunnelIp())) {
      return;
    }
    LOG.info("host {}: tunnel endpoint of {} is now {}", host, endpoint.getHost(),
        endpoint.getTunnelIp().isEmpty() ? "gone" : endpoint.getTunnelIp());
    if (endpoint.getTunnelIp().isEmpty()) {
      state.removeTunnelEndpoints(endpoint.getHost());
    } else {
      state.putTunnelEndpoints(endpoint.getHost(), endpoint.getTunnelIp());
    }
    applies.request(APPLY);
  }

  /**
   * Whether a peer update can be patched into the held state now: not before the first full sync
   * (it reads the current peers anyway), and not while a fetch is on its way, whose answer may
   * predate the update and replace it; then everything is fetched again after it.
   */
  private boolean patchable() {
    if (fetchingAll || !fetching.isEmpty()) {
      requestFullSync();
      return false;
    }
    return fullSyncFetched;
  }

  private Future<?> applyNow() {
    // Before the first full sync the agent knows only some routers: applying would remove the others.
    if (stopped || state.getDvrMac().isEmpty() || !fullSyncFetched) {
      return Future.succeededFuture();
    }
    HostRouters wanted = state.clone().clearRouters().addAllRouters(routers.values()).build();
    boolean afterFullSync = fullSyncFetched;
    return dataplane.apply(wanted).onFailure(err -> retryApply()).onSuccess(n -> {
      appliedTunnelEndpoints = Map.copyOf(wanted.getTunnelEndpointsMap());
      reports.request(REPORT);
      applyBackoff = 0;
      lastApplied = n;
      operationsSinceStart += n;
      syncedOnce |= afterFullSync;
      if (n > 0) {
        LOG.info("host {}: applied {} operations for {} routers", host, n, routers.size());
      }
    });
  }

  /**
   * Reports the wired ports when they differ from the last acknowledged report (Neutron's
   * update_device_up/down); a failed report is tried again after 1 s.
   */
  private Future<?> reportWired() {
    Set<String> wired = new TreeSet<>(dataplane.wiredPorts());
    if (stopped || wired.equals(reportedWired)) {
      return Future.succeededFuture();
    }
    return Bus.request(vertx, EventAddresses.PORTS_WIRED, PortsWired.newBuilder().setHost(host).addAllPortIds(wired).build(),
            PortsWiredAck.parser(), requestTimeout)
        .onSuccess(ack -> reportedWired = wired)
        .onFailure(err -> {
          if (!stopped) {
            vertx.setTimer(RETRY_MILLIS, id -> reports.request(REPORT));
          }
        });
  }

  /** A failed apply (a command failed, a device was busy) runs again after 1, 2, 4 ... 30 s. */
  private void retryApply() {
    if (stopped) {
      return;
    }
    applyBackoff = applyBackoff == 0 ? RETRY_MILLIS : Math.min(applyBackoff * 2, MAX_APPLY_BACKOFF_MILLIS);
    LOG.warn("host {}: apply failed; trying again in {} ms", host, applyBackoff);
    vertx.setTimer(applyBackoff, id -> applies.request(APPLY));
  }

  /** Operations applied by the last apply (0: the host already held the wanted state). */
  int lastApplied() {
    return lastApplied;
  }

  /** Operations applied since this agent started (0 after a restart onto an unchanged host). */
  long operationsSinceStart() {
    return operationsSinceStart;
  }

  /** Whether a full sync has been fetched and applied since start. */
  boolean syncedOnce() {
    return syncedOnce;
  }

  /** The peers' tunnel endpoints the host was last made to hold, by host. */
  Map<String, String> appliedTunnelEndpoints() {
    return appliedTunnelEndpoints;
  }

  Set<String> routerIds() {
    return routers.keySet();
  }
}

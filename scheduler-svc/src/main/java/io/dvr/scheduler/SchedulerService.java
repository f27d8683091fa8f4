package io.dvr.scheduler;

import io.dvr.common.KeyedWork;
import io.dvr.common.Metrics;
import io.dvr.common.ServiceMain;
import io.dvr.common.ServiceResources;
import io.dvr.common.Stoppable;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.LatestChanges;
import io.dvr.common.security.AgentCalls;
import io.dvr.common.security.HostCredentials;
import io.dvr.common.security.Insecure;
import io.dvr.common.security.HostProofs;
import java.time.Clock;
import java.util.Optional;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.config.Settings;
import io.dvr.proto.v1.AgentRouterRequest;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.ListHostsForRouterRequest;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import io.dvr.proto.v1.RouterPlacement;
import io.dvr.proto.v1.RoutersChanged;
import io.dvr.proto.v1.SyncFipGatewayPortsResponse;
import io.dvr.proto.v1.TunnelEndpoint;
import io.dvr.scheduler.store.FipGatewayPorts;
import io.dvr.scheduler.store.HostRoutersQuery;
import io.dvr.scheduler.store.SchedulerStore;
import io.dvr.scheduler.store.SnatLeases;
import io.dvr.store.Database;
import io.dvr.store.Store;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * scheduler-svc: keeps each distributed router bound to the hosts that need it (level-triggered:
 * an event only names routers; their placement is recomputed from the database), has api-gateway
 * create or delete the fg- ports that placement implies, tells the hosts that gained, kept or
 * lost a router, and serves each host the router info it renders. A full reschedule runs at start
 * and every {@code scheduler.resync-seconds}. {@link #stop()} releases the server, the consumers
 * and every timer.
 */
public final class SchedulerService implements Stoppable {
  private static final Logger LOG = LoggerFactory.getLogger(SchedulerService.class);
  public static final String NAME = "scheduler";
  public static final int DEFAULT_PORT = 9091;
  private static final long RETRY_MILLIS = 1000;
  /** scheduler.port-reschedule-delay-ms: longer than 3 lab hosts take to apply a port (under 20 ms at p99). */
  static final long DEFAULT_PORT_RESCHEDULE_DELAY_MILLIS = 50;

  private final Vertx vertx;
  private final Store store;
  private final SchedulerStore scheduler;
  private final HostRoutersQuery hostRouters = new HostRoutersQuery();
  private final long busTimeoutMillis;
  private final KeyedWork<UUID> reschedules;
  /** Per router, the hosts a pending change concerns; ALL_HOSTS stands for every host of the router. */
  private final Map<UUID, Set<String>> pendingHosts = new HashMap<>();
  /**
   * Routers whose pending reschedule must recompute where they live: some change other than a
   * floating IP's is pending (a floating IP moves no router; its reschedule decides fg- ports alone).
   */
  private final Set<UUID> placementPending = new HashSet<>();
  private static final String ALL_HOSTS = "";
  /** Timers not yet fired or cancelled: the periodic resync and the retries. */
  private final ServiceResources held;
  /**
   * Per router, the hosts this instance last placed it on (what its reschedules left): a port
   * change on one of them is told to the host at once, without waiting for the reschedule.
   */
  private final Map<UUID, Set<String>> carrying = new HashMap<>();
  /** Per router, the hosts told at once of the port changes its pending reschedule covers. */
  private final Map<UUID, Set<String>> toldAtOnce = new HashMap<>();
  /** A change published twice (writer, then relay) or late is taken once. */
  private final LatestChanges latest = new LatestChanges();
  /**
   * How long the reschedule of a port change waits when every host it names was told at once
   * ({@code scheduler.port-reschedule-delay-ms}): it adds no host there, so it runs after the hosts'
   * applies instead of beside them, and the changes heard meanwhile go into the same run.
   */
  private final long portRescheduleDelayMillis;
  /** Routers whose reschedule waits out that delay. */
  private final Set<UUID> waiting = new HashSet<>();

  private SnatLeaseService snatLeases;

  /** Reschedules run to the end (placement written, hosts told). */
  private long reschedulesDone;

  SchedulerService(Vertx vertx, Store store, SchedulerStore scheduler, long busTimeoutMillis) {
    this(vertx, store, scheduler, busTimeoutMillis, DEFAULT_PORT_RESCHEDULE_DELAY_MILLIS);
  }

  SchedulerService(Vertx vertx, Store store, SchedulerStore scheduler, long busTimeoutMillis,
      long portRescheduleDelayMillis) {
    if (portRescheduleDelayMillis < 0) {
      throw new IllegalArgumentException("scheduler.port-reschedule-delay-ms is " + portRescheduleDelayMillis
          + "; it must be 0 or more");
    }
    this.portRescheduleDelayMillis = portRescheduleDelayMillis;
    this.vertx = vertx;
    this.held = new ServiceResources(vertx);
    this.store = store;
    this.scheduler = scheduler;
    this.busTimeoutMillis = busTimeoutMillis;
    this.reschedules = new KeyedWork<>("reschedule of router", this::reschedule);
  }

  /**
   * Reads the database's time first: agents count as heard from then on (see {@link SchedulerStore}),
   * so the first reschedules keep every binding of agents that were alive when the control plane
   * stopped; once the down time has passed a full reschedule moves what dead hosts hold.
   */
  public static Future<SchedulerService> start(Vertx vertx, Settings settings, Database db) {
    Store store = new Store(db.pool());
    long downSeconds = settings.getLong("agent.down-time-seconds", 75);
    int haHosts = (int) settings.getLong("snat.ha-hosts", 2);
    // The secret that checks the agents' proofs on host-routers requests: a file, read on a worker.
    return HostProofs.loadCredentials(vertx, settings)
        .compose(agents -> store.read(SchedulerStore::databaseNow)
            .compose(now -> start(vertx, settings, db, store, new SchedulerStore(downSeconds, now, haHosts), agents.orElse(null))));
  }

  private static Future<SchedulerService> start(Vertx vertx, Settings settings, Database db, Store store,
      SchedulerStore rules, HostCredentials agents) {
    long busTimeout = settings.getLong("bus.request-timeout-ms", 5000);
    SchedulerService service = new SchedulerService(vertx, store, rules, busTimeout,
        settings.getLong("scheduler.port-reschedule-delay-ms", DEFAULT_PORT_RESCHEDULE_DELAY_MILLIS));
    HostViews views = new HostViews(vertx, service.store, service.scheduler, busTimeout);
    service.held.consumer(Bus.listen(vertx, EventAddresses.RESOURCE_CHANGED, ResourceChanged.parser(), service::take));
    service.held.consumer(Bus.serve(vertx, EventAddresses.GET_HOST_ROUTERS, GetHostRoutersRequest.parser(),
        views::getHostRouters, HostProofs.admission(agents, EventAddresses.GET_HOST_ROUTERS, GetHostRoutersRequest::getHost,
            Clock.systemUTC())));
    service.held.consumer(Bus.serve(vertx, EventAddresses.LIST_HOSTS_FOR_ROUTER, ListHostsForRouterRequest.parser(),
        views::listHostsForRouter));
    // The dvr_snat agents' SNAT leases, and the failover of HA routers whose active host lost its lease.
    service.snatLeases = new SnatLeaseService(vertx, store, new SnatLeases(settings.getLong("snat.lease-hold-ms", 600),
        settings.getLong("snat.lease-grace-ms", 200)), service.held);
    service.snatLeases.start(agents, settings.getLong("snat.lease-check-ms", 100));
    // Drains (an HA router active on an admin-down or removed host moved, make before break) and hand placement.
    SnatDrainService drains = new SnatDrainService(store, settings.getLong("snat.drain-timeout-ms", 5000), service.held,
        service.snatLeases::tell, id -> service.request(id, List.of(ALL_HOSTS)));
    drains.start(settings.getLong("snat.lease-check-ms", 100));
    // A new claim ends a drain at once: the old host lets go of the addresses without waiting for the next check.
    service.snatLeases.onClaimsChanged(drains::check);
    ManualPlacement manual = new ManualPlacement(store, rules, placement -> {
      service.notifyHosts(placement, Set.of(ALL_HOSTS), Set.of());
      service.request(placement.routerId(), List.of());
    });
    service.held.consumer(Bus.serve(vertx, EventAddresses.SNAT_ROUTER_ADD, AgentRouterRequest.parser(), manual::add));
    service.held.consumer(Bus.serve(vertx, EventAddresses.SNAT_ROUTER_REMOVE, AgentRouterRequest.parser(), manual::remove));
    long resync = settings.getLong("scheduler.resync-seconds", 60) * 1000;
    service.held.periodic(resync, service::rescheduleAll);
    SchedulerMeters meters = new SchedulerMeters(Metrics.service(NAME + "-svc"));
    long metersPeriod = settings.getLong("scheduler.meters-seconds", 10) * 1000;
    service.held.periodic(metersPeriod, () -> service.refresh(meters));
    service.refresh(meters);
    service.held.later(rules.agentDownTime().toMillis(), service::rescheduleAll);
    service.rescheduleAll();
    return service.held.served(
        ServiceMain.serve(vertx, settings, NAME, DEFAULT_PORT, List.of(new SchedulerGrpcService(new SchedulerGrpc(views), new AgentCalls(!Insecure.on(settings)))),
            db.health()::check), service);
  }

  /** The gRPC port it serves on. */
  public int port() {
    return held.server().actualPort();
  }

  /** Timers still pending (the periodic resync while running; none once stopped). */
  public int activeTimers() {
    return held.activeTimers();
  }

  /** Reschedules run to the end since start (a test waits for the first full reschedule with it). */
  public long reschedulesDone() {
    return reschedulesDone;
  }

  /** HA routers failed over since start (their active host's SNAT lease expired). */
  public long snatFailovers() {
    return snatLeases.failovers();
  }

  /** Stops serving, listening and rescheduling; work in flight finishes without scheduling more. */
  @Override
  public Future<Void> stop() {
    return held.stop();
  }

  /** The intake of changes: only the latest change of each resource is acted on. */
  void take(ResourceChanged event) {
    if (latest.take(event)) {
      LOG.debug("{} {} changed (sequence {}): routers {}, hosts {}", event.getResourceType(), event.getResourceId(),
          event.getSequence(), event.getRouterIdsList(), event.getHostsList());
      onChange(event);
    }
  }

  /** Reschedules running, queued or waiting now (a test counts the work an event caused). */
  int reschedulesInFlight() {
    return reschedules.inFlight() + waiting.size();
  }

  /** Reschedules waiting out the port-change delay. */
  int reschedulesWaiting() {
    return waiting.size();
  }

  private void onChange(ResourceChanged event) {
    // A port change concerns the router on the port's hosts (ARP entries elsewhere are arp-svc's),
    // a floating IP's on the hosts of the ports it moved on and off (a host's view holds the
    // floating IPs of its own ports; one whose fg- port the reschedule makes or removes is told
    // after it); a change of the router itself or a subnet concerns every host of the router.
    boolean portOnly = event.getResourceType() == ResourceType.RESOURCE_TYPE_PORT;
    boolean hostsNamed = portOnly || event.getResourceType() == ResourceType.RESOURCE_TYPE_FLOATING_IP;
    List<String> hosts = hostsNamed ? event.getHostsList() : List.of(ALL_HOSTS);
    if (portOnly) {
      event.getRouterIdsList().forEach(id -> tellCarryingHosts(UUID.fromString(id), event));
    }
    if (event.getResourceType() == ResourceType.RESOURCE_TYPE_FLOATING_IP && event.hasFloatingIp()) {
      event.getRouterIdsList().forEach(id -> tellFloatingIpHosts(UUID.fromString(id), event));
    }
    boolean movesRouters = event.getResourceType() != ResourceType.RESOURCE_TYPE_FLOATING_IP;
    for (String id : event.getRouterIdsList()) {
      UUID routerId = UUID.fromString(id);
      if (portOnly && portRescheduleDelayMillis > 0 && carriedBy(routerId, event.getHostsList())) {
        requestAfterDelay(routerId, hosts);
      } else {
        request(routerId, hosts, movesRouters);
      }
    }
    if (event.getResourceType() == ResourceType.RESOURCE_TYPE_ROUTER) {
      request(UUID.fromString(event.getResourceId()), hosts);
    }
    if (event.getResourceType() == ResourceType.RESOURCE_TYPE_AGENT) {
      // A new or restarted agent: the routers its host may now carry (and any SNAT it may take).
      event.getHostsList().forEach(host -> store.read(tx -> scheduler.routersConcerning(tx, host))
          .onSuccess(ids -> ids.forEach(id -> request(id, List.of(host)))));
      event.getHostsList().forEach(this::announceTunnelEndpoint);
    }
  }

  /**
   * Tells every agent where the host's tunnel ends now (read back, so that a late or repeated
   * event announces the current endpoint); agents whose list already says so change nothing.
   */
  private void announceTunnelEndpoint(String host) {
    store.read(tx -> hostRouters.tunnelEndpoint(tx, host))
        .onSuccess(ip -> Bus.publish(vertx, EventAddresses.TUNNEL_ENDPOINTS,
            TunnelEndpoint.newBuilder().setHost(host).setTunnelIp(ip).build()))
        .onFailure(err -> LOG.warn("could not announce the tunnel endpoint of host {}: {}", host, err.toString()));
  }

  /**
   * A port change's hosts that carry the router already are told now: what they fetch (the port,
   * committed before the change was published) does not wait for the reschedule, which a port
   * bound on a host carrying its router leaves as it was. Hosts the reschedule adds or removes are
   * told after it, as every host is when this instance does not know where the router lives (just
   * started, or another instance moved it). A host told here that the reschedule then removes is
   * told again; one it no longer carries (another instance moved it) fetches a view without the
   * router, as the database has it. When the event carries what the change left of the port, the
   * host is told that too ({@link PortChanges}), and may apply it before its fetch answers.
   */
  private void tellCarryingHosts(UUID routerId, ResourceChanged event) {
    Set<String> known = carrying.getOrDefault(routerId, Set.of());
    for (String host : event.getHostsList()) {
      if (known.contains(host) && !held.stopped()) {
        LOG.debug("router {}: telling {} at once its routers changed", routerId, host);
        toldAtOnce.computeIfAbsent(routerId, k -> new HashSet<>()).add(host);
        RoutersChanged.Builder told = RoutersChanged.newBuilder().setHost(host).addRouterIds(routerId.toString());
        PortChanges.asSeenBy(event, host).ifPresent(told::addPorts);
        Bus.send(vertx, EventAddresses.routersChanged(host), told.build());
      }
    }
  }

  /**
   * A floating IP's change is told at once, with what it left, to the hosts of the ports it moved
   * on and off that carry the router, as a port's change is, and not again after the reschedule
   * unless it made or removed their fg- port.
   */
  private void tellFloatingIpHosts(UUID routerId, ResourceChanged event) {
    Set<String> known = carrying.getOrDefault(routerId, Set.of());
    Set<String> hosts = new TreeSet<>(List.of(event.getFloatingIp().getHost(), event.getFloatingIp().getPreviousHost()));
    for (String host : hosts) {
      if (!host.isEmpty() && known.contains(host) && !held.stopped()) {
        LOG.debug("router {}: telling {} at once of floating IP {}", routerId, host, event.getResourceId());
        toldAtOnce.computeIfAbsent(routerId, k -> new HashSet<>()).add(host);
        Bus.send(vertx, EventAddresses.routersChanged(host), RoutersChanged.newBuilder().setHost(host)
            .addRouterIds(routerId.toString()).addFloatingIps(FloatingIpChanges.asSeenBy(event, host)).build());
      }
    }
  }

  private void request(UUID routerId, List<String> hosts) {
    request(routerId, hosts, true);
  }

  private void request(UUID routerId, List<String> hosts, boolean placement) {
    if (held.stopped()) {
      return;
    }
    waiting.remove(routerId); // this run takes what a waiting one would have
    pendingHosts.computeIfAbsent(routerId, k -> new HashSet<>()).addAll(hosts);
    if (placement) {
      placementPending.add(routerId);
    }
    reschedules.request(routerId);
  }

  /** Whether this instance placed the router on every one of these hosts (a port change on them was told at once). */
  private boolean carriedBy(UUID routerId, List<String> hosts) {
    Set<String> known = carrying.get(routerId);
    return known != null && known.containsAll(hosts);
  }

  /**
   * A port change whose hosts carry the router already: its reschedule may remove the router from
   * a host (its last port there went) but adds none, so it waits {@code portRescheduleDelayMillis};
   * the port changes of the router heard meanwhile join it, and any other request runs it at once.
   */
  private void requestAfterDelay(UUID routerId, List<String> hosts) {
    if (held.stopped()) {
      return;
    }
    pendingHosts.computeIfAbsent(routerId, k -> new HashSet<>()).addAll(hosts);
    placementPending.add(routerId);
    if (waiting.add(routerId)) {
      held.later(portRescheduleDelayMillis, () -> {
        if (waiting.remove(routerId)) {
          reschedules.request(routerId);
        }
      });
    }
  }

  /** Reads what the meters show; a failure leaves the last values until the next period. */
  private void refresh(SchedulerMeters meters) {
    store.read(tx -> scheduler.aliveAgentsByMode(tx).compose(alive -> scheduler.snatRoutersByHost(tx).map(snat -> {
      meters.agentsAlive(alive);
      meters.snatRouters(snat);
      return null;
    }))).onFailure(err -> LOG.debug("scheduler meters not refreshed: {}", err.toString()));
  }

  void rescheduleAll() {
    store.read(scheduler::allRouters)
        .onSuccess(ids -> ids.forEach(id -> request(id, List.of())))
        .onFailure(err -> LOG.warn("full reschedule failed: {}", err.toString()));
  }

  /**
   * Recomputes the router's hosts, has api-gateway make the fg- ports that follow, then tells the
   * hosts that gained or lost it and those the change concerns. Any failure (the database or
   * api-gateway unreachable) keeps the hosts to tell and runs the reschedule again shortly. When
   * only floating IPs changed and this instance knows where the router lives, the placement is
   * not recomputed: under the router's lock, the fg- ports alone are decided.
   */
  private Future<?> reschedule(UUID routerId) {
    Set<String> concerned = new HashSet<>(pendingHosts.getOrDefault(routerId, Set.of()));
    pendingHosts.remove(routerId);
    Set<String> told = new HashSet<>(toldAtOnce.getOrDefault(routerId, Set.of()));
    toldAtOnce.remove(routerId);
    Set<String> known = carrying.get(routerId);
    boolean placing = placementPending.remove(routerId) || known == null;
    // With the change's line and the hosts': how long a change waits for and in its reschedule.
    LOG.debug("router {}: rescheduling (hosts concerned {})", routerId, concerned);
    SchedulerStore.Placement[] placed = new SchedulerStore.Placement[1];
    Set<String> gatewayPortHosts = new TreeSet<>();
    return store.write(tx -> placing ? scheduler.reschedule(tx, routerId).compose(placement -> {
          placed[0] = placement;
          return scheduler.fipGatewayState(tx, routerId, fipGatewayHosts(concerned, placement));
        }) : keepPlacement(tx, routerId, known, concerned).map(kept -> {
          placed[0] = kept.placement();
          return kept.state();
        }))
        .compose(state -> {
          LOG.debug("router {}: placement committed", routerId);
          FipGatewayPorts.Change change = FipGatewayPorts.decide(state);
          gatewayPortHosts.addAll(change.hosts());
          return syncFipGatewayPorts(routerId, change);
        })
        .onSuccess(v -> {
          // The hosts whose fg- port was made or removed fetch it, told of this change or not.
          concerned.addAll(gatewayPortHosts);
          told.removeAll(gatewayPortHosts);
          notifyHosts(placed[0], concerned, told);
          reschedulesDone++;
        })
        .onFailure(err -> {
          // The placement may be committed already: its hosts are told on the next run.
          if (placed[0] != null) {
            concerned.addAll(placed[0].added());
            concerned.addAll(placed[0].removed());
          }
          retry(routerId, concerned, placing);
        });
  }

  private record Kept(SchedulerStore.Placement placement, FipGatewayPorts.State state) {}

  /**
   * A reschedule that moves no router: the router's lock and the fg- ports' reads are sent at once
   * (the server reads them once the lock is taken), the placement is the one this instance made.
   */
  private Future<Kept> keepPlacement(Tx tx, UUID routerId, Set<String> known, Set<String> concerned) {
    SchedulerStore.Placement placement = new SchedulerStore.Placement(routerId, Set.of(), Set.copyOf(known), Set.of());
    Future<?> locked = SchedulerStore.lockRouter(tx, routerId);
    Future<FipGatewayPorts.State> state = scheduler.fipGatewayState(tx, routerId, fipGatewayHosts(concerned, placement));
    return Future.all(locked, state).map(both -> new Kept(placement, state.result()));
  }

  /**
   * The hosts whose fg- ports a reschedule reads: those the changes named (a port's or floating IP's
   * hosts) and those the router moved on and off; null (every fg- port) for a change of the router
   * itself or the periodic resync, which names no host.
   */
  private static Set<String> fipGatewayHosts(Set<String> concerned, SchedulerStore.Placement placement) {
    if (concerned.isEmpty() || concerned.contains(ALL_HOSTS)) {
      return null;
    }
    Set<String> hosts = new TreeSet<>(concerned);
    hosts.addAll(placement.added());
    hosts.addAll(placement.removed());
    return hosts;
  }

  private Future<Void> syncFipGatewayPorts(UUID routerId, FipGatewayPorts.Change change) {
    if (change.isEmpty()) {
      return Future.succeededFuture();
    }
    LOG.info("router {}: fg- ports to create {}, to delete {}", routerId, change.create(), change.delete());
    return Bus.request(vertx, EventAddresses.SYNC_FIP_GATEWAY_PORTS, change.toRequest(),
        SyncFipGatewayPortsResponse.parser(), busTimeoutMillis).mapEmpty();
  }

  /**
   * Tells the hosts that gained or lost the router, changed role, or that the changes concern
   * (those told at once of their port or floating IP changes not again, when nothing else
   * concerned them); remembers where the router lives now.
   */
  private void notifyHosts(SchedulerStore.Placement placement, Set<String> concerned, Set<String> toldAlready) {
    if (!placement.added().isEmpty() || !placement.removed().isEmpty()) {
      LOG.info("router {}: added on {}, removed from {}", placement.routerId(), placement.added(), placement.removed());
    }
    if (!placement.added().isEmpty() || !placement.removed().isEmpty()) {
      // Where the router lives now, for arp-svc's router -> hosts map.
      Set<String> carrying = new TreeSet<>(placement.kept());
      carrying.addAll(placement.added());
      Bus.publish(vertx, EventAddresses.ROUTER_PLACEMENT, RouterPlacement.newBuilder()
          .setRouterId(placement.routerId().toString()).addAllHosts(carrying).build());
    }
    Set<String> notify = new TreeSet<>(placement.added());
    notify.addAll(placement.removed());
    // An HA router's SNAT hosts whose role changed (elected active, bound as standby).
    notify.addAll(placement.roleChanged());
    for (String host : placement.kept()) {
      if (concerned.contains(ALL_HOSTS) || concerned.contains(host) && !toldAlready.contains(host)) {
        notify.add(host);
      }
    }
    Set<String> now = new HashSet<>(placement.kept());
    now.addAll(placement.added());
    if (now.isEmpty()) {
      carrying.remove(placement.routerId());
    } else {
      carrying.put(placement.routerId(), Set.copyOf(now));
    }
    if (!notify.isEmpty()) {
      LOG.debug("router {}: telling {} its routers changed", placement.routerId(), notify);
    }
    for (String host : notify) {
      Bus.send(vertx, EventAddresses.routersChanged(host),
          RoutersChanged.newBuilder().setHost(host).addRouterIds(placement.routerId().toString()).build());
    }
  }

  private void retry(UUID routerId, Set<String> concerned, boolean placing) {
    if (held.stopped()) {
      return;
    }
    pendingHosts.computeIfAbsent(routerId, k -> new HashSet<>()).addAll(concerned);
    if (placing) {
      placementPending.add(routerId);
    }
    held.later(RETRY_MILLIS, () -> reschedules.request(routerId));
  }
}

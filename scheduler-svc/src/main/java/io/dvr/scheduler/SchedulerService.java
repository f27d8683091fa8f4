package io.dvr.scheduler;

import io.dvr.common.KeyedWork;
import io.dvr.common.ServiceMain;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.config.Settings;
import io.dvr.common.grpc.ApiError;
import io.dvr.common.grpc.GrpcErrors;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.ListHostsForRouterRequest;
import io.dvr.proto.v1.ListHostsForRouterResponse;
import io.dvr.proto.v1.PortsWired;
import io.dvr.proto.v1.PortsWiredAck;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import io.dvr.proto.v1.RoutersChanged;
import io.dvr.proto.v1.SchedulerServiceGrpcService;
import io.dvr.proto.v1.SchedulerServiceService;
import io.dvr.proto.v1.TunnelEndpoint;
import io.dvr.store.AgentStore;
import io.dvr.store.Database;
import io.dvr.store.HostRoutersQuery;
import io.dvr.store.PortStore;
import io.dvr.store.SchedulerStore;
import io.dvr.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
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
 * an event only names routers; their placement is recomputed from the database), tells the
 * hosts that gained, kept or lost a router, and serves each host the router info it renders.
 * A full reschedule runs at start and every {@code scheduler.resync-seconds}.
 */
public final class SchedulerService extends SchedulerServiceService {
  private static final Logger LOG = LoggerFactory.getLogger(SchedulerService.class);
  public static final String NAME = "scheduler";
  public static final int DEFAULT_PORT = 9091;

  private final Vertx vertx;
  private final Store store;
  private final SchedulerStore scheduler;
  private final AgentStore agents;
  private final PortStore ports = new PortStore();
  private final HostRoutersQuery hostRouters = new HostRoutersQuery();
  private final KeyedWork<UUID> reschedules;
  /** Per router, the hosts a pending change concerns; ALL_HOSTS stands for every host of the router. */
  private final Map<UUID, Set<String>> pendingHosts = new HashMap<>();
  private static final String ALL_HOSTS = "";

  SchedulerService(Vertx vertx, Store store, long agentDownSeconds) {
    this.vertx = vertx;
    this.store = store;
    this.scheduler = new SchedulerStore(new PortStore(), agentDownSeconds);
    this.agents = new AgentStore(agentDownSeconds);
    this.reschedules = new KeyedWork<>("reschedule of router", this::reschedule);
  }

  public static Future<HttpServer> start(Vertx vertx, Settings settings, Database db) {
    SchedulerService service = new SchedulerService(vertx, new Store(db.pool()),
        settings.getLong("agent.down-time-seconds", 75));
    Bus.listen(vertx, EventAddresses.RESOURCE_CHANGED, ResourceChanged.parser(), service::onChange);
    Bus.serve(vertx, EventAddresses.GET_HOST_ROUTERS, GetHostRoutersRequest.parser(), service::getHostRouters);
    Bus.serve(vertx, EventAddresses.PORTS_WIRED, PortsWired.parser(), service::portsWired);
    long resync = settings.getLong("scheduler.resync-seconds", 60) * 1000;
    vertx.setPeriodic(resync, id -> service.rescheduleAll());
    service.rescheduleAll();
    return ServiceMain.serve(vertx, settings, NAME, DEFAULT_PORT, List.of(SchedulerServiceGrpcService.of(service)));
  }

  private void onChange(ResourceChanged event) {
    // A port change concerns the router on the port's hosts (ARP entries elsewhere are arp-svc's);
    // a change of the router itself, a floating IP or a subnet concerns every host of the router.
    boolean portOnly = event.getResourceType() == ResourceType.RESOURCE_TYPE_PORT;
    List<String> hosts = portOnly ? event.getHostsList() : List.of(ALL_HOSTS);
    event.getRouterIdsList().forEach(id -> request(UUID.fromString(id), hosts));
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
    store.read(tx -> agents.tunnelEndpoint(tx, host))
        .onSuccess(ip -> Bus.publish(vertx, EventAddresses.TUNNEL_ENDPOINTS,
            TunnelEndpoint.newBuilder().setHost(host).setTunnelIp(ip).build()))
        .onFailure(err -> LOG.warn("could not announce the tunnel endpoint of host {}: {}", host, err.toString()));
  }

  private void request(UUID routerId, List<String> hosts) {
    pendingHosts.computeIfAbsent(routerId, k -> new HashSet<>()).addAll(hosts);
    reschedules.request(routerId);
  }

  void rescheduleAll() {
    store.read(scheduler::allRouters)
        .onSuccess(ids -> ids.forEach(id -> request(id, List.of())))
        .onFailure(err -> LOG.warn("full reschedule failed: {}", err.toString()));
  }

  /** Recomputes the router's hosts; tells those that gained or lost it, and those the change concerns. */
  private Future<?> reschedule(UUID routerId) {
    Set<String> concerned = pendingHosts.getOrDefault(routerId, Set.of());
    pendingHosts.remove(routerId);
    return store.write(tx -> scheduler.reschedule(tx, routerId)).onSuccess(placement -> {
      if (!placement.added().isEmpty() || !placement.removed().isEmpty()) {
        LOG.info("router {}: added on {}, removed from {}", routerId, placement.added(), placement.removed());
      }
      Set<String> notify = new TreeSet<>(placement.added());
      notify.addAll(placement.removed());
      for (String host : placement.kept()) {
        if (concerned.contains(ALL_HOSTS) || concerned.contains(host)) {
          notify.add(host);
        }
      }
      for (String host : notify) {
        Bus.send(vertx, EventAddresses.routersChanged(host),
            RoutersChanged.newBuilder().setHost(host).addRouterIds(routerId.toString()).build());
      }
    }).onFailure(err -> {
      // Keep the hosts to tell and try again shortly (the database may be restarting).
      pendingHosts.computeIfAbsent(routerId, k -> new HashSet<>()).addAll(concerned);
      vertx.setTimer(1000, id -> reschedules.request(routerId));
    });
  }

  /** An agent says which of its host's ports it has wired: those become ACTIVE, the others DOWN. */
  Future<PortsWiredAck> portsWired(PortsWired report) {
    if (report.getHost().isEmpty()) {
      return Future.failedFuture(ApiError.invalid("host", "", "is required"));
    }
    List<UUID> ids;
    try {
      ids = report.getPortIdsList().stream().map(UUID::fromString).toList();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiError.invalid("port_ids", report.getPortIdsList(), "not UUIDs"));
    }
    return store.write(tx -> ports.setWired(tx, report.getHost(), ids)).map(changed -> {
      if (changed > 0) {
        LOG.info("host {}: {} port(s) changed status ({} wired)", report.getHost(), changed, ids.size());
      }
      return PortsWiredAck.newBuilder().setChanged(changed).build();
    });
  }

  @Override
  public Future<HostRouters> getHostRouters(GetHostRoutersRequest request) {
    Future<HostRouters> result;
    try {
      String host = request.getHost();
      if (host.isEmpty()) {
        throw ApiError.invalid("host", host, "is required");
      }
      List<UUID> only = request.getRouterIdsList().stream().map(UUID::fromString).toList();
      result = store.read(tx -> tx.one("SELECT agent_mode FROM agents WHERE host = $1 AND agent_type = 'L3 agent'", host)
          .compose(mode -> scheduler.routersOf(tx, host).compose(bound -> {
            List<UUID> ids = only.isEmpty() ? bound : bound.stream().filter(only::contains).toList();
            return hostRouters.forHost(tx, host, mode.map(r -> r.getString(0)).orElse(""), ids);
          })));
    } catch (IllegalArgumentException e) {
      result = Future.failedFuture(ApiError.invalid("router_ids", request.getRouterIdsList(), "not UUIDs"));
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return GrpcErrors.toStatus(result, "GetHostRouters");
  }

  @Override
  public Future<ListHostsForRouterResponse> listHostsForRouter(ListHostsForRouterRequest request) {
    Future<ListHostsForRouterResponse> result;
    try {
      UUID router = UUID.fromString(request.getRouterId());
      result = store.read(tx -> scheduler.hostsOf(tx, router))
          .map(hosts -> ListHostsForRouterResponse.newBuilder().addAllHosts(hosts).build());
    } catch (IllegalArgumentException e) {
      result = Future.failedFuture(ApiError.invalid("router_id", request.getRouterId(), "not a valid UUID"));
    }
    return GrpcErrors.toStatus(result, "ListHostsForRouter");
  }
}

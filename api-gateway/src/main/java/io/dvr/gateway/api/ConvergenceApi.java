package io.dvr.gateway.api;

import static io.dvr.gateway.api.Calls.call;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.grpc.ApiError;
import io.dvr.gateway.api.Calls.Needs;
import io.dvr.gateway.auth.Authenticator;
import io.dvr.gateway.store.AppliedStateStore;
import io.dvr.gateway.store.AppliedStateStore.Change;
import io.dvr.gateway.store.AppliedStateStore.HostRecord;
import io.dvr.gateway.store.RouterStore;
import io.dvr.gateway.store.Ownership;
import io.dvr.gateway.auth.Caller;
import io.dvr.store.Tx;
import io.dvr.proto.v1.ResourceType;
import io.dvr.proto.v1.AppliedStatus;
import io.dvr.proto.v1.ConvergenceServiceService;
import io.dvr.proto.v1.GetHostStatusRequest;
import io.dvr.proto.v1.GetRouterStatusRequest;
import io.dvr.proto.v1.HostStatus;
import io.dvr.proto.v1.ListHostsForRouterRequest;
import io.dvr.proto.v1.ListHostsForRouterResponse;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.RouterStatus;
import io.dvr.proto.v1.Status;
import io.dvr.proto.v1.WaitForChangeRequest;
import io.dvr.proto.v1.WaitForChangeResponse;
import java.util.Set;
import java.util.TreeSet;
import io.dvr.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * dvr.v1.ConvergenceService: what the hosts applied, per router and per host (desired vs applied
 * generation, in sync, last apply and its error).
 */
public final class ConvergenceApi extends ConvergenceServiceService {
  private final Authenticator auth;
  private final Vertx vertx;
  private final Store store;
  private final RouterStore routers;
  private final AppliedStateStore applied;
  private final long busTimeoutMillis;
  private final ChangeWaits waits;
  static final long DEFAULT_WAIT_MS = 30_000;
  static final long MAX_WAIT_MS = 600_000;

  public ConvergenceApi(Authenticator auth, Vertx vertx, Store store, RouterStore routers, AppliedStateStore applied,
      ChangeWaits waits, long busTimeoutMillis) {
    this.waits = waits;
    this.auth = auth;
    this.vertx = vertx;
    this.store = store;
    this.routers = routers;
    this.applied = applied;
    this.busTimeoutMillis = busTimeoutMillis;
  }

  @Override
  public Future<RouterStatus> getRouterStatus(GetRouterStatusRequest r) {
    return call(auth, "GetRouterStatus", Needs.ADMIN, r, caller -> {
      UUID router = Validate.id("router_id", r.getRouterId());
      return store.read(tx -> routers.require(tx, router))
          .compose(found -> carriers(vertx, router, busTimeoutMillis))
          .compose(carriers -> store.read(tx -> applied.change(tx, router)
              .compose(last -> applied.hosts(tx, carriers.keySet(), List.of(router))
                  .map(hosts -> routerStatus(router, last, carriers, hosts)))));
    });
  }

  @Override
  public Future<HostStatus> getHostStatus(GetHostStatusRequest r) {
    return call(auth, "GetHostStatus", Needs.ADMIN, r, caller -> {
      String host = Validate.name("host", r.getHost());
      if (host.isEmpty()) {
        throw ApiError.invalid("host", "", "is required");
      }
      return store.read(tx -> applied.hosts(tx, List.of(host), List.of()).compose(found -> {
        HostRecord record = found.isEmpty() ? AppliedStateStore.never(host) : found.get(0);
        Future<HostStatus.Builder> chain = Future.succeededFuture(HostStatus.newBuilder().setHost(host));
        for (AppliedStateStore.RouterRecord held : record.routers()) {
          chain = chain.compose(b -> applied.change(tx, held.routerId()).map(last ->
              b.addRouters(AppliedStateStore.status(held.routerId(), last, record, Optional.of(held), false))));
        }
        return chain.map(HostStatus.Builder::build);
      }));
    });
  }

  /**
   * Returns once every host that must act on the resource's last change applied it, or fails
   * with DEADLINE_EXCEEDED naming the hosts that lag (see {@link ChangeWaits}).
   */
  @Override
  public Future<WaitForChangeResponse> waitForChange(WaitForChangeRequest r) {
    return call(auth, "WaitForChange", Needs.READ, r, caller -> {
      UUID resource = Validate.id("resource_id", r.getResourceId());
      long timeout = r.getTimeoutMs() == 0 ? DEFAULT_WAIT_MS : r.getTimeoutMs();
      if (timeout > MAX_WAIT_MS) {
        throw ApiError.invalid("timeout_ms", r.getTimeoutMs(), "must be at most " + MAX_WAIT_MS);
      }
      return store.read(tx -> applied.change(tx, resource).compose(change -> change.isEmpty()
              ? Future.failedFuture(ApiError.notFound("change of resource", resource.toString()))
              : visibleToCaller(tx, change.get(), resource, caller)
                  .compose(v -> change.get().port() ? applied.vmPortHost(tx, resource)
                      : Future.succeededFuture(Optional.<String>empty()))
                  .map(vmHost -> Map.entry(change.get(), vmHost))))
          .compose(found -> target(resource, found.getKey(), found.getValue()))
          .compose(target -> {
            ChangeWaits.Waiter waiter = waits.watch(target, timeout, caller.isAdmin());
            Set<UUID> routersOfChange = new TreeSet<>();
            target.mustHold().values().forEach(routersOfChange::addAll);
            if (target.mayHold() != null) {
              routersOfChange.addAll(target.mayHold().keySet());
            }
            Set<String> hosts = new TreeSet<>(target.mustHold().keySet());
            hosts.addAll(target.hostPart());
            store.read(tx -> applied.hosts(tx, hosts, routersOfChange)).onSuccess(waiter::start).onFailure(waiter::fail);
            return waiter.future();
          });
    });
  }

  /**
   * A member waits only for its project's resources (and external networks): another project's is
   * NOT_FOUND, as everywhere. A resource deleted since (a wait after a delete) has no owner left to
   * check; its id says nothing.
   */
  private static Future<Void> visibleToCaller(Tx tx, Change change, UUID resource, Caller caller) {
    if (caller.isAdmin()) {
      return Future.succeededFuture();
    }
    ResourceType type = ResourceType.forNumber(change.resourceType());
    Ownership.Kind kind = type == null ? null : switch (type) {
      case RESOURCE_TYPE_NETWORK -> Ownership.Kind.NETWORK;
      case RESOURCE_TYPE_SUBNET -> Ownership.Kind.SUBNET;
      case RESOURCE_TYPE_PORT -> Ownership.Kind.PORT;
      case RESOURCE_TYPE_ROUTER -> Ownership.Kind.ROUTER;
      case RESOURCE_TYPE_FLOATING_IP -> Ownership.Kind.FLOATING_IP;
      default -> null;
    };
    if (kind == null) {
      return Future.failedFuture(ApiError.notFound("change of resource", resource.toString()));
    }
    return Ownership.requireVisibleOrGone(tx, kind, resource, caller.scope());
  }

  /** Who must act on a change: see {@link ChangeWaits.Target}. */
  private Future<ChangeWaits.Target> target(UUID resource, Change change, Optional<String> vmHost) {
    Future<Map<UUID, Set<String>>> carried = Future.succeededFuture(new TreeMap<>());
    for (UUID router : change.routerIds()) {
      carried = carried.compose(m -> carriers(vertx, router, busTimeoutMillis).map(hosts -> {
        m.put(router, new TreeSet<>(hosts.keySet()));
        return m;
      }));
    }
    return carried.map(carriers -> {
      Map<String, Set<UUID>> mustHold = new TreeMap<>();
      Map<UUID, Set<String>> mayHold = new TreeMap<>();
      for (UUID router : change.routerIds()) {
        Set<String> allowed = new TreeSet<>(carriers.get(router));
        if (change.port()) {
          // The port's own host refetches its routers; their other hosts only patch an ARP entry.
          vmHost.ifPresent(h -> {
            mustHold.computeIfAbsent(h, k -> new TreeSet<>()).add(router);
            allowed.add(h);
          });
        } else if (change.floatingIp()) {
          // The hosts of the ports it moved on and off that carry the router refetch it; its other
          // hosts hold none of the router's floating IPs but those of their own ports.
          change.hosts().stream().filter(carriers.get(router)::contains)
              .forEach(h -> mustHold.computeIfAbsent(h, k -> new TreeSet<>()).add(router));
        } else {
          carriers.get(router).forEach(h -> mustHold.computeIfAbsent(h, k -> new TreeSet<>()).add(router));
        }
        mayHold.put(router, allowed);
      }
      Set<String> hostPart = new TreeSet<>(change.hosts());
      if (change.port()) {
        vmHost.ifPresent(hostPart::add);
      }
      return new ChangeWaits.Target(resource, change.changeId(), mustHold, hostPart, mayHold);
    });
  }

  /** The hosts scheduler-svc says carry the router, with whether each holds its SNAT. */
  static Future<Map<String, Boolean>> carriers(Vertx vertx, UUID router, long timeoutMillis) {
    return Bus.request(vertx, EventAddresses.LIST_HOSTS_FOR_ROUTER,
            ListHostsForRouterRequest.newBuilder().setRouterId(router.toString()).build(),
            ListHostsForRouterResponse.parser(), timeoutMillis)
        .recover(err -> NoAnswer.unavailable(err, "scheduler-svc did not say where router '" + router + "' lives",
            timeoutMillis))
        .map(reply -> {
          Map<String, Boolean> hosts = new TreeMap<>();
          for (RouterHost h : reply.getHostsList()) {
            hosts.put(h.getHost(), h.getSnat());
          }
          return hosts;
        });
  }

  /** Every host that carries the router or still holds it: ERROR if one failed behind, ACTIVE if all in sync. */
  static RouterStatus routerStatus(UUID router, Optional<Change> last, Map<String, Boolean> carriers,
      List<HostRecord> reported) {
    Map<String, HostRecord> byHost = new TreeMap<>();
    carriers.keySet().forEach(h -> byHost.put(h, AppliedStateStore.never(h)));
    reported.forEach(h -> byHost.put(h.host(), h));
    RouterStatus.Builder b = RouterStatus.newBuilder().setRouterId(router.toString())
        .setDesiredGeneration(last.map(Change::changeId).orElse(0L));
    boolean error = false;
    boolean allInSync = true;
    for (HostRecord host : byHost.values()) {
      AppliedStatus s = AppliedStateStore.status(router, last, host, host.router(router),
          carriers.getOrDefault(host.host(), false));
      // A host that holds the router though no longer carrying it must drop it: it is behind too.
      boolean carried = carriers.containsKey(host.host());
      if (!carried && s.getInSync()) {
        s = s.toBuilder().setInSync(false).setStatus(host.failing() ? Status.STATUS_ERROR : Status.STATUS_BUILD).build();
      }
      error |= s.getStatus() == Status.STATUS_ERROR;
      allInSync &= s.getInSync();
      b.addHosts(s);
    }
    return b.setStatus(error ? Status.STATUS_ERROR : allInSync ? Status.STATUS_ACTIVE : Status.STATUS_BUILD).build();
  }
}

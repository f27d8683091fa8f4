package io.dvr.scheduler;

import io.dvr.common.ServiceResources;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.grpc.ApiError;
import io.dvr.common.security.HostCredentials;
import io.dvr.common.security.HostProofs;
import io.dvr.proto.v1.RoutersChanged;
import io.dvr.proto.v1.SnatLeaseGrant;
import io.dvr.proto.v1.SnatLeaseRenewal;
import io.dvr.scheduler.store.SnatLeases;
import io.dvr.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * scheduler-svc's side of the SNAT lease: answers the dvr_snat agents' renewals on
 * {@code dvr.scheduler.snat-lease} (only from the host's own agent: its dvr-host-proof), and every
 * {@code snat.lease-check-ms} promotes a STANDBY where an ACTIVE host's lease has expired
 * ({@link SnatLeases#failover}), telling both hosts. One check runs at a time; a slow one makes
 * the next tick skip, never pile up.
 */
final class SnatLeaseService {
  private static final Logger LOG = LoggerFactory.getLogger(SnatLeaseService.class);

  private final Vertx vertx;
  private final Store store;
  private final SnatLeases leases;
  private final ServiceResources held;
  private boolean checking;
  /** Failovers done since start (a test reads it). */
  private long failovers;
  /** Per host, the active routers its last renewal listed: a change is a claim a drain may wait for. */
  private final Map<String, List<UUID>> lastClaims = new HashMap<>();
  private Runnable claimsChanged = () -> {};

  SnatLeaseService(Vertx vertx, Store store, SnatLeases leases, ServiceResources held) {
    this.vertx = vertx;
    this.store = store;
    this.leases = leases;
    this.held = held;
  }

  /** Serves the renewals (checked against the host credentials; null: insecure) and starts the checks. */
  void start(HostCredentials agents, long checkMillis) {
    held.consumer(Bus.serve(vertx, EventAddresses.SNAT_LEASE, SnatLeaseRenewal.parser(), this::renew,
        HostProofs.admission(agents, EventAddresses.SNAT_LEASE, SnatLeaseRenewal::getHost, Clock.systemUTC())));
    held.periodic(checkMillis, this::check);
  }

  /** Told when a host's renewal lists other active routers than its last one (a drain ends on such a claim). */
  void onClaimsChanged(Runnable action) {
    this.claimsChanged = action;
  }

  long failovers() {
    return failovers;
  }

  Future<SnatLeaseGrant> renew(SnatLeaseRenewal renewal) {
    if (renewal.getHost().isEmpty()) {
      return Future.failedFuture(ApiError.invalid("host", "", "is required"));
    }
    List<UUID> active;
    try {
      active = renewal.getActiveRouterIdsList().stream().map(UUID::fromString).toList();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiError.invalid("active_router_ids", renewal.getActiveRouterIdsList(), "not UUIDs"));
    }
    return store.write(tx -> leases.renew(tx, renewal.getHost(), active))
        .map(v -> {
          if (!active.equals(lastClaims.put(renewal.getHost(), active))) {
            claimsChanged.run();
          }
          return SnatLeaseGrant.newBuilder().setHoldMillis(leases.holdMillis()).build();
        });
  }

  /** One pass: the routers whose active host's lease lapsed, each failed over in its own transaction. */
  void check() {
    if (checking || held.stopped()) {
      return;
    }
    checking = true;
    store.read(leases::lapsed)
        .compose(routers -> Future.join(routers.stream().map(this::failover).toList()))
        .onFailure(err -> LOG.warn("SNAT lease check failed: {}", err.toString()))
        .onComplete(done -> checking = false);
  }

  private Future<Optional<SnatLeases.Failover>> failover(UUID router) {
    return store.write(tx -> leases.failover(tx, router)).onSuccess(done -> done.ifPresent(f -> {
      failovers++;
      LOG.warn("router {}: SNAT failed over from {} (its lease expired) to {} at epoch {}", f.routerId(), f.from(), f.to(),
          f.epoch());
      tell(f.routerId(), f.from());
      tell(f.routerId(), f.to());
    }));
  }

  /** RoutersChanged to the host: it fetches the router's view again (its new role). */
  void tell(UUID router, String host) {
    Bus.send(vertx, EventAddresses.routersChanged(host),
        RoutersChanged.newBuilder().setHost(host).addRouterIds(router.toString()).build());
  }
}

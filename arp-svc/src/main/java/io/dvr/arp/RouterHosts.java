package io.dvr.arp;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.ListHostsForRouterRequest;
import io.dvr.proto.v1.ListHostsForRouterResponse;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.RouterPlacement;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Which hosts carry each router, as scheduler-svc (placement is its rule) last said: taken from its
 * placement announcements ({@code RouterPlacement}, published after every reschedule that moved a
 * router) and asked for ({@code ListHostsForRouter}, a bus request and a database read there) only
 * for a router it has not heard of within {@code maxAgeMillis}. The age bounds what a lost or
 * reordered announcement (two scheduler-svc instances) can leave stale; a host that gains a router
 * fetches the router's whole ARP table itself, so a late one here only delays patches to it.
 * Use from one event-loop context.
 */
final class RouterHosts {
  private record Known(List<String> hosts, long atMillis) {}

  private final Vertx vertx;
  private final long busTimeoutMillis;
  private final long maxAgeMillis;
  private final LongSupplier clock;
  private final Map<UUID, Known> known = new HashMap<>();
  /** Per router, announcements heard: an answer asked for before the latest one is not kept. */
  private final Map<UUID, Long> heard = new HashMap<>();
  private long asked;

  RouterHosts(Vertx vertx, long busTimeoutMillis, long maxAgeMillis, LongSupplier clock) {
    this.vertx = vertx;
    this.busTimeoutMillis = busTimeoutMillis;
    this.maxAgeMillis = maxAgeMillis;
    this.clock = clock;
  }

  /** The hosts of the router: known, or asked for. */
  Future<List<String>> of(UUID routerId) {
    Known k = known.get(routerId);
    long now = clock.getAsLong();
    if (k != null && now - k.atMillis() < maxAgeMillis) {
      return Future.succeededFuture(k.hosts());
    }
    long heardBefore = heard.getOrDefault(routerId, 0L);
    asked++;
    return Bus.request(vertx, EventAddresses.LIST_HOSTS_FOR_ROUTER,
            ListHostsForRouterRequest.newBuilder().setRouterId(routerId.toString()).build(),
            ListHostsForRouterResponse.parser(), busTimeoutMillis)
        .map(reply -> {
          List<String> hosts = reply.getHostsList().stream().map(RouterHost::getHost).toList();
          if (heard.getOrDefault(routerId, 0L) == heardBefore) {
            known.put(routerId, new Known(hosts, now));
          }
          return hosts;
        });
  }

  /** scheduler-svc moved the router: these hosts carry it now. */
  void placed(RouterPlacement placement) {
    UUID routerId;
    try {
      routerId = UUID.fromString(placement.getRouterId());
    } catch (IllegalArgumentException e) {
      return;
    }
    heard.merge(routerId, 1L, Long::sum);
    known.put(routerId, new Known(List.copyOf(placement.getHostsList()), clock.getAsLong()));
  }

  /** ListHostsForRouter requests sent so far. */
  long asked() {
    return asked;
  }
}

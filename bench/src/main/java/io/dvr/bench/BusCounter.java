package io.dvr.bench;

import io.dvr.common.bus.EventAddresses;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * Watches the event bus: counts messages by kind (a publish counts once, however many receive
 * it), notes when the last control-plane message went by, and times each GetHostRouters round
 * trip by matching the request's reply address with the reply. A cheap way to see how much work
 * a change fans out into and where an agent waits.
 */
final class BusCounter {
  static final String RESOURCE_CHANGED = "ResourceChanged (outbox relay)";
  static final String ROUTERS_CHANGED = "RoutersChanged (scheduler to host)";
  static final String ARP_UPDATE = "ArpUpdate (arp-svc to host)";
  static final String HOST_ROUTERS = "GetHostRouters (host to scheduler)";
  private static final String OTHER = "other";

  /** One GetHostRouters round trip, in System.nanoTime() terms. */
  record Fetch(long sentNanos, long repliedNanos) {}

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final Map<String, Long> pendingFetches = new ConcurrentHashMap<>();
  private final List<Fetch> fetches = new CopyOnWriteArrayList<>();
  private volatile long lastMessageNanos = System.nanoTime();

  BusCounter(Vertx vertx) {
    vertx.eventBus().addOutboundInterceptor(delivery -> {
      long now = System.nanoTime();
      String address = delivery.message().address();
      String kind = kind(address);
      counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
      if (!kind.equals(OTHER)) {
        lastMessageNanos = now;
      }
      if (kind.equals(HOST_ROUTERS) && delivery.message().replyAddress() != null) {
        pendingFetches.put(delivery.message().replyAddress(), now);
      } else {
        Long sent = pendingFetches.remove(address);
        if (sent != null) {
          fetches.add(new Fetch(sent, now));
        }
      }
      delivery.next();
    });
  }

  private static String kind(String address) {
    if (address.equals(EventAddresses.RESOURCE_CHANGED)) {
      return RESOURCE_CHANGED;
    }
    if (address.equals(EventAddresses.GET_HOST_ROUTERS)) {
      return HOST_ROUTERS;
    }
    if (address.endsWith(".routers-changed")) {
      return ROUTERS_CHANGED;
    }
    if (address.endsWith(".arp")) {
      return ARP_UPDATE;
    }
    return OTHER;
  }

  Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  static long delta(Map<String, Long> before, Map<String, Long> after, String kind) {
    return after.getOrDefault(kind, 0L) - before.getOrDefault(kind, 0L);
  }

  /** Whether no event, notification or fetch went by for quietMs. */
  boolean isQuiet(long quietMs) {
    return System.nanoTime() - lastMessageNanos >= quietMs * 1_000_000;
  }

  /** The first GetHostRouters round trip sent at or after the given time, if it completed. */
  Fetch firstFetchSince(long sinceNanos) {
    return fetches.stream().filter(f -> f.sentNanos() >= sinceNanos).findFirst().orElse(null);
  }
}

package io.dvr.bench;

import io.dvr.common.bus.BusContract;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything that goes over the event bus, by kind: the address's {@link BusContract} pattern
 * (per-host addresses fold into one, {@code dvr.host.{host}.arp}) and "reply to" that pattern for
 * replies. For each kind: messages sent (a publish counts once) and deliveries (a publish counts
 * once per consumer that takes it: what crosses the network when every consumer is its own
 * member), with their bytes (body and headers; not the bus's own framing, about 100 bytes a message
 * in a cluster). Counters only grow; a phase's work is the difference of two {@link #snapshot}s.
 */
final class BusTraffic {
  static final String OTHER = "other";

  /** Messages and bytes of one kind. */
  record Count(long sent, long sentBytes, long delivered, long deliveredBytes) {
    Count minus(Count o) {
      return new Count(sent - o.sent, sentBytes - o.sentBytes, delivered - o.delivered, deliveredBytes - o.deliveredBytes);
    }
  }

  private static final class Counters {
    final LongAdder sent = new LongAdder();
    final LongAdder sentBytes = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder deliveredBytes = new LongAdder();

    Count read() {
      return new Count(sent.sum(), sentBytes.sum(), delivered.sum(), deliveredBytes.sum());
    }
  }

  private final Map<String, Counters> counters = new ConcurrentHashMap<>();
  /** Reply address -> the kind of the request it answers; removed when the reply goes by. */
  private final Map<String, String> awaitingReply = new ConcurrentHashMap<>();
  private volatile long lastMessageNanos = System.nanoTime();

  BusTraffic(Vertx vertx) {
    vertx.eventBus().addOutboundInterceptor(delivery -> {
      Message<?> m = delivery.message();
      String kind = kindOf(m.address(), true);
      if (m.replyAddress() != null) {
        awaitingReply.put(m.replyAddress(), kind);
      }
      Counters c = counters.computeIfAbsent(kind, k -> new Counters());
      c.sent.increment();
      c.sentBytes.add(bytes(m));
      lastMessageNanos = System.nanoTime();
      delivery.next();
    });
    vertx.eventBus().addInboundInterceptor(delivery -> {
      Message<?> m = delivery.message();
      Counters c = counters.computeIfAbsent(kindOf(m.address(), false), k -> new Counters());
      c.delivered.increment();
      c.deliveredBytes.add(bytes(m));
      delivery.next();
    });
  }

  /** Replies sent and not yet delivered: their kind, for the inbound side. */
  private final Map<String, String> replied = new ConcurrentHashMap<>();

  /** The contract's pattern of the address, or "reply to" the request's kind for a reply. */
  private String kindOf(String address, boolean sending) {
    String request;
    if (sending) {
      request = awaitingReply.remove(address);
      if (request != null) {
        replied.put(address, request); // its delivery comes after its send
      }
    } else {
      request = replied.remove(address);
    }
    return request != null ? "reply to " + request : pattern(address);
  }

  static String pattern(String address) {
    try {
      return BusContract.of(address).address();
    } catch (IllegalArgumentException notInContract) {
      return OTHER;
    }
  }

  static long bytes(Message<?> m) {
    long n = m.body() instanceof Buffer b ? b.length() : 0;
    for (Map.Entry<String, String> h : m.headers()) {
      n += h.getKey().length() + h.getValue().length();
    }
    return n;
  }

  /** Whether no message of any kind went by for quietMs. */
  boolean isQuiet(long quietMs) {
    return System.nanoTime() - lastMessageNanos >= quietMs * 1_000_000;
  }

  Map<String, Count> snapshot() {
    Map<String, Count> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.read()));
    return out;
  }

  /** What went by between two snapshots, kinds with nothing left out. */
  static Map<String, Count> between(Map<String, Count> before, Map<String, Count> after) {
    Map<String, Count> out = new TreeMap<>();
    after.forEach((k, v) -> {
      Count d = v.minus(before.getOrDefault(k, new Count(0, 0, 0, 0)));
      if (d.sent() > 0 || d.delivered() > 0) {
        out.put(k, d);
      }
    });
    return out;
  }

}

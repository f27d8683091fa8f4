package io.dvr.relay;

import io.dvr.common.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The addresses published to every agent (DVR MACs, tunnel endpoints): one bus consumer per relay
 * for each, whatever the number of agents attached, each message passed to every agent that takes
 * it. So a relay's registrations on the bus grow with its agents' own addresses only.
 */
final class SharedAddresses {
  private final Vertx vertx;
  private final Map<String, MessageConsumer<Buffer>> consumers = new HashMap<>();
  private final Map<String, Set<AgentStream>> takers = new HashMap<>();

  SharedAddresses(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Completes once the relay's consumer of {@code address} is registered on the bus. */
  synchronized Future<Void> join(String address, AgentStream stream) {
    takers.computeIfAbsent(address, a -> new LinkedHashSet<>()).add(stream);
    return consumers.computeIfAbsent(address, a -> Bus.listenBodies(vertx, a, body -> deliver(a, body))).completion();
  }

  synchronized void leave(AgentStream stream) {
    takers.entrySet().removeIf(e -> {
      e.getValue().remove(stream);
      if (e.getValue().isEmpty()) {
        MessageConsumer<Buffer> consumer = consumers.remove(e.getKey());
        if (consumer != null) {
          consumer.unregister();
        }
        return true;
      }
      return false;
    });
  }

  private void deliver(String address, Buffer body) {
    List<AgentStream> to;
    synchronized (this) {
      Set<AgentStream> set = takers.get(address);
      to = set == null ? List.of() : List.copyOf(set);
    }
    to.forEach(stream -> stream.deliverSoon(address, body));
  }

  /** How many bus consumers the shared addresses hold (tests). */
  synchronized int consumers() {
    return consumers.size();
  }
}

package io.dvr.gateway.api;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.grpc.ApiError;
import io.dvr.gateway.store.AppliedStateStore;
import io.dvr.gateway.store.AppliedStateStore.HostRecord;
import io.dvr.gateway.store.AppliedStateStore.RouterRecord;
import io.dvr.proto.v1.HostApplied;
import io.dvr.proto.v1.WaitForChangeResponse;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Waits for changes to be applied on the hosts that must act on them. The hosts' reports are
 * watched as every api-gateway instance publishes them once stored (dvr.gateway.host-applied-stored);
 * the database is read once per wait, for the state before it began. No polling, no blocking: a
 * wait is a promise completed by a report or failed by its timer.
 */
public final class ChangeWaits {

  /**
   * What a change obliges hosts to: {@code mustHold}, per host, the routers it must hold a copy of
   * that sees the change; {@code hostPart}, hosts whose own part of the view must see it (a
   * port's hosts that carry none of its routers); {@code mayHold}, per router, the hosts that may
   * keep it (others that hold it must drop it), null when holding it elsewhere is not waited for.
   */
  record Target(UUID resource, long changeId, Map<String, Set<UUID>> mustHold, Set<String> hostPart,
      Map<UUID, Set<String>> mayHold) {
    Set<String> hosts(Map<String, HostRecord> records) {
      Set<String> hosts = new TreeSet<>(mustHold.keySet());
      hosts.addAll(hostPart);
      if (mayHold != null) {
        mayHold.forEach((router, allowed) -> records.values().stream()
            .filter(h -> h.router(router).isPresent() && !allowed.contains(h.host())).forEach(h -> hosts.add(h.host())));
      }
      return hosts;
    }

    /** Why the host has not applied the change yet; empty once it has. */
    Optional<String> lag(HostRecord h) {
      for (UUID router : mustHold.getOrDefault(h.host(), Set.of())) {
        Optional<RouterRecord> held = h.router(router);
        if (held.isEmpty()) {
          return Optional.of("does not hold router " + router + " yet");
        }
        if (!held.get().sees(changeId)) {
          return Optional.of("holds router " + router + " as of generation " + held.get().generation()
              + ", before change " + changeId);
        }
      }
      if (mayHold != null) {
        // A copy read after the change still held the router there: the host carries it now
        // (placed after the wait began); an older copy must be dropped or refetched.
        for (Map.Entry<UUID, Set<String>> e : mayHold.entrySet()) {
          Optional<RouterRecord> held = h.router(e.getKey());
          if (!e.getValue().contains(h.host()) && held.isPresent() && !held.get().sees(changeId)) {
            return Optional.of("still holds router " + e.getKey() + " as of generation " + held.get().generation()
                + ", before change " + changeId);
          }
        }
      }
      if (hostPart.contains(h.host()) && !h.sees(changeId)) {
        return Optional.of(h.appliedAt().isEmpty() ? "has applied nothing"
            : "applied generation " + h.generation() + ", before change " + changeId);
      }
      return Optional.empty();
    }
  }

  private final Vertx vertx;
  private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();

  public ChangeWaits(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Watches the stored reports; unregister it to stop. */
  public MessageConsumer<Buffer> listen() {
    return Bus.listen(vertx, EventAddresses.HOST_APPLIED_STORED, HostApplied.parser(), report -> {
      HostRecord record = AppliedStateStore.of(report);
      waiters.forEach(w -> w.take(record));
    });
  }

  /** Starts watching for {@code target} before the state it starts from is read (no report is missed). */
  Waiter watch(Target target, long timeoutMillis, boolean showErrors) {
    Waiter w = new Waiter(target, System.nanoTime(), showErrors);
    waiters.add(w);
    long timer = vertx.setTimer(timeoutMillis, id -> w.expire(timeoutMillis));
    w.promise.future().onComplete(done -> {
      vertx.cancelTimer(timer);
      waiters.remove(w);
    });
    return w;
  }

  /** One wait: the reports taken so far, by host. */
  static final class Waiter {
    private final Target target;
    private final long startNanos;
    private final Promise<WaitForChangeResponse> promise = Promise.promise();
    private final Map<String, HostRecord> records = new HashMap<>();
    private final List<HostRecord> early = new ArrayList<>();
    private boolean started;
    /** Hosts' apply errors are host state, shown to admins only. */
    private final boolean showErrors;

    private Waiter(Target target, long startNanos, boolean showErrors) {
      this.target = target;
      this.showErrors = showErrors;
      this.startNanos = startNanos;
    }

    Future<WaitForChangeResponse> future() {
      return promise.future();
    }

    /** The hosts' state as stored when the wait began; reports that came meanwhile are newer. */
    synchronized void start(List<HostRecord> stored) {
      stored.forEach(r -> records.put(r.host(), r));
      early.forEach(r -> records.put(r.host(), r));
      early.clear();
      started = true;
      check();
    }

    synchronized void take(HostRecord record) {
      if (!started) {
        early.add(record);
        return;
      }
      records.put(record.host(), record);
      check();
    }

    synchronized void fail(Throwable err) {
      promise.tryFail(err);
    }

    private Map<String, String> lagging() {
      Map<String, String> lagging = new TreeMap<>();
      for (String host : target.hosts(records)) {
        HostRecord h = records.getOrDefault(host, AppliedStateStore.never(host));
        target.lag(h).ifPresent(why -> lagging.put(host, why + (!h.failing() ? "" : showErrors
            ? "; its last apply failed: " + h.lastError() : "; its last apply failed")));
      }
      return lagging;
    }

    private void check() {
      if (promise.future().isComplete() || !lagging().isEmpty()) {
        return;
      }
      promise.tryComplete(WaitForChangeResponse.newBuilder().setChangeId(target.changeId())
          .addAllHosts(target.hosts(records)).setWaitedMs((int) ((System.nanoTime() - startNanos) / 1_000_000)).build());
    }

    private synchronized void expire(long timeoutMillis) {
      if (promise.future().isComplete()) {
        return;
      }
      StringBuilder why = new StringBuilder("change " + target.changeId() + " of '" + target.resource()
          + "' not applied within " + timeoutMillis + " ms by ");
      lagging().forEach((host, reason) -> why.append(host).append(" (").append(reason).append("), "));
      why.setLength(why.length() - 2);
      promise.tryFail(new ApiError(GrpcStatus.DEADLINE_EXCEEDED, why.toString()));
    }
  }
}

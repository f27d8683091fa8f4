package io.dvr.common;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one running service holds and must give back when it stops: its server, its event-bus
 * consumers and its timers. Timers are made through here so that a stopped service has none left
 * and makes no more (a retry timer set after stop is refused); {@link #activeTimers()} lets tests
 * check it. Used on the service's own context.
 */
public final class ServiceResources {
  private final Vertx vertx;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final Set<Long> timers = new HashSet<>();
  private HttpServer server;
  private volatile boolean stopped;

  public ServiceResources(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Keeps the consumer, to be unregistered at stop. */
  public <C extends MessageConsumer<?>> C consumer(C consumer) {
    consumers.add(consumer);
    return consumer;
  }

  /**
   * The service once its server listens, the server held to be closed at stop; if it cannot
   * listen, everything held so far is released and the failure returned.
   */
  public <S> Future<S> served(Future<HttpServer> listening, S service) {
    return listening.map(s -> {
      server = s;
      return service;
    }).recover(err -> stop().transform(v -> Future.failedFuture(err)));
  }

  public HttpServer server() {
    return server;
  }

  /** A periodic task, cancelled at stop. */
  public void periodic(long millis, Runnable task) {
    if (!stopped) {
      timers.add(vertx.setPeriodic(millis, id -> task.run()));
    }
  }

  /** A one-off task (a retry), forgotten once it ran, cancelled at stop; none after stop. */
  public void later(long millis, Runnable task) {
    if (stopped) {
      return;
    }
    long[] id = new long[1];
    id[0] = vertx.setTimer(millis, t -> {
      timers.remove(id[0]);
      task.run();
    });
    timers.add(id[0]);
  }

  public boolean stopped() {
    return stopped;
  }

  /** Timers still pending (none once stopped). */
  public int activeTimers() {
    return timers.size();
  }

  /** Cancels the timers, unregisters the consumers and closes the server. */
  public Future<Void> stop() {
    stopped = true;
    timers.forEach(vertx::cancelTimer);
    timers.clear();
    List<Future<Void>> closing = new ArrayList<>();
    consumers.forEach(c -> closing.add(c.unregister()));
    consumers.clear();
    if (server != null) {
      closing.add(server.close());
    }
    return Future.all(closing).mapEmpty();
  }
}

package io.dvr.bench;

import io.dvr.agent.HostAgentService;
import io.dvr.arp.ArpService;
import io.dvr.common.VertxBootstrap;
import io.dvr.common.cluster.BusSecurity;
import io.dvr.common.security.Identity;
import io.dvr.common.config.Settings;
import io.dvr.gateway.ApiGateway;
import io.dvr.macalloc.MacAllocatorService;
import io.dvr.scheduler.SchedulerService;
import io.dvr.store.Database;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The whole control plane in this JVM, as the all-in-one lab starts it: an embedded PostgreSQL
 * in a temporary directory, api-gateway, scheduler-svc, mac-allocator-svc and arp-svc sharing
 * one database, on one local Vert.x. Each service and each host agent is deployed on its own
 * event-loop context, as it would run in its own process. The benchmark's gRPC client has its
 * own Vert.x, like a user outside the control plane.
 */
final class ControlPlane implements AutoCloseable {
  private final Path dir;
  private final BenchSecurity security;
  final Vertx vertx;
  private final Settings settings;
  private final Database db;
  private final ApiGateway gateway;
  private final Vertx clientVertx;
  private final GrpcClient client;
  final Api api;
  private final List<SimHost> running = new CopyOnWriteArrayList<>();
  /** Stops scheduler-svc, mac-allocator-svc and arp-svc (each releases its server, consumers and timers). */
  private final List<Supplier<Future<Void>>> services;

  private ControlPlane(Path dir, Vertx vertx, Settings settings, Database db, ApiGateway gateway,
      List<Supplier<Future<Void>>> services, BenchSecurity security) {
    this.dir = dir;
    this.vertx = vertx;
    this.settings = settings;
    this.db = db;
    this.gateway = gateway;
    this.services = services;
    this.security = security;
    this.clientVertx = Vertx.vertx();
    this.client = security.user().newClient(clientVertx);
    this.api = new Api(client, SocketAddress.inetSocketAddress(gateway.port(), "127.0.0.1"),
        gateway.adminTokenFile().map(ControlPlane::read).orElse(null));
  }

  static ControlPlane start() throws IOException {
    return start(Map.of());
  }

  /**
   * As {@link #start()}, with more settings ({@code more} wins); with {@code cluster.enabled} the
   * process joins the event bus as api-gateway, with that service's key store of the run's CA.
   */
  static ControlPlane start(Map<String, String> more) throws IOException {
    Path dir = Files.createTempDirectory("dvr-convergence-");
    BenchSecurity security = BenchSecurity.create(dir.resolve("security"));
    Settings given = Settings.of(Map.ofEntries(
        Map.entry("security.dir", security.dir()),
        Map.entry("db.data-dir", dir.resolve("pgdata").toString()),
        Map.entry("api.host", "127.0.0.1"), Map.entry("api.port", "0"),
        Map.entry("rest.port", "0"),
        Map.entry("scheduler.host", "127.0.0.1"), Map.entry("scheduler.port", "0"),
        Map.entry("mac-allocator.host", "127.0.0.1"), Map.entry("mac-allocator.port", "0"),
        Map.entry("arp.host", "127.0.0.1"), Map.entry("arp.port", "0"),
        Map.entry("host-agent.host", "127.0.0.1"),
        // The periodic safety-net resyncs (60 s by default) would land inside measurements.
        Map.entry("agent.resync-seconds", "3600"), Map.entry("scheduler.resync-seconds", "3600")))
        .with(more);
    Settings settings = BusSecurity.withMaterialOf(given, Identity.service("api-gateway"));
    Vertx vertx = VertxBootstrap.start(settings).await();
    Database db = Database.open(vertx, settings).await();
    ApiGateway gateway = deploy(vertx, () -> ApiGateway.start(vertx, settings, db)).value();
    SchedulerService scheduler = deploy(vertx, () -> SchedulerService.start(vertx, settings, db)).value();
    MacAllocatorService macs = deploy(vertx, () -> MacAllocatorService.start(vertx, settings, db)).value();
    ArpService arp = deploy(vertx, () -> ArpService.start(vertx, settings, db)).value();
    ControlPlane cp = new ControlPlane(dir, vertx, settings, db, gateway, List.of(arp::stop, macs::stop, scheduler::stop),
        security);
    cp.api.unlimitedQuotas().await();
    return cp;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private record Deployed<T>(String id, T value) {}

  /** Starts something inside a verticle of its own, so that it gets its own event-loop context. */
  private static <T> Deployed<T> deploy(Vertx vertx, Supplier<Future<T>> starter) {
    AtomicReference<T> started = new AtomicReference<>();
    String id = vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        return starter.get().onSuccess(started::set);
      }
    }).await();
    return new Deployed<>(id, started.get());
  }

  /** Starts a relay (relay-svc) on the control plane's bus, on a free port: agents in their own JVMs attach to it. */
  io.dvr.relay.RelayService startRelay() {
    return deploy(vertx, () -> io.dvr.relay.RelayService.start(vertx, settings.with(Map.of("relay.host", "127.0.0.1",
        "relay.port", "0")))).value();
  }

  /** The port api-gateway serves gRPC on. */
  int apiPort() {
    return gateway.port();
  }

  /** The benchmark's security material (its CA, key stores and the hosts' credentials). */
  BenchSecurity security() {
    return security;
  }

  /** A context of the client's Vert.x, for driving requests from. */
  Context clientContext() {
    return clientVertx.getOrCreateContext();
  }

  /** Starts the host's agent on the host's model and facts (a restart when they were used before). */
  void startAgent(SimHost host) {
    security.addHost(host.name);
    Settings agent = settings.with(Map.of("host.name", host.name, "agent.mode", host.mode,
        "agent.tunnel-ip", host.tunnelIp, "host-agent.port", "0", "api.address", "127.0.0.1:" + gateway.port()));
    Deployed<HostAgentService> d = deploy(vertx, () -> HostAgentService.start(vertx, agent, host.memory, host.facts));
    host.agent = d.value();
    host.deployment = d.id();
    running.add(host);
  }

  void stopAgent(SimHost host) {
    host.agent.stop().await();
    vertx.undeploy(host.deployment).await();
    host.agent = null;
    running.remove(host);
  }

  /** Transactions committed in the database so far (PostgreSQL's statistics, flushed within about 0.5 s). */
  long committedTransactions() {
    return db.pool().query("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
        .execute().await().iterator().next().getLong(0);
  }

  /**
   * Updates of agents' rows so far (PostgreSQL's statistics): each heartbeat is one write
   * transaction that updates its agent's row, so a phase's heartbeats are the difference.
   */
  long agentRowUpdates() {
    return db.pool().query("SELECT coalesce(sum(n_tup_upd), 0) FROM pg_stat_user_tables WHERE relname = 'agents'")
        .execute().await().iterator().next().getLong(0);
  }

  /** What the embedded PostgreSQL actually runs with, read back rather than assumed. */
  String durability() {
    var row = db.pool().query("SELECT current_setting('server_version'), current_setting('fsync'),"
        + " current_setting('synchronous_commit')").execute().await().iterator().next();
    return "PostgreSQL " + row.getString(0) + ", fsync=" + row.getString(1) + ", synchronous_commit="
        + row.getString(2);
  }

  /** Waits until every agent is registered and has applied once (it applies only after getting its DVR MAC). */
  void awaitAgentsReady(List<SimHost> hosts, long timeoutMs) {
    Waits.until(vertx, "all " + hosts.size() + " agents registered with a DVR MAC", timeoutMs,
        () -> hosts.stream().allMatch(h -> h.facts.applies() > 0) && api.agentCount().await() >= hosts.size());
  }

  @Override
  public void close() throws IOException {
    // Agents first: a heartbeat in flight while the database goes away only makes noise.
    for (SimHost host : List.copyOf(running)) {
      stopAgent(host);
    }
    client.close().await();
    clientVertx.close().await();
    for (Supplier<Future<Void>> service : services) {
      service.get().await();
    }
    gateway.stop().await();
    vertx.close().await();
    db.close();
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

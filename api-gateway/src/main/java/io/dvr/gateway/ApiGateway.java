package io.dvr.gateway;

import io.dvr.common.Metrics;
import io.dvr.common.Stoppable;
import io.dvr.common.config.Settings;
import io.dvr.common.grpc.ServiceEndpoint;
import io.dvr.gateway.api.AgentApi;
import io.dvr.gateway.api.AgentOnlyCalls;
import io.dvr.common.security.AgentCalls;
import io.dvr.common.security.GrpcTls;
import io.dvr.common.security.HostCredentials;
import io.dvr.common.security.HostProofs;
import io.dvr.common.security.Identity;
import io.dvr.common.security.Insecure;
import io.dvr.gateway.api.FloatingIpApi;
import io.dvr.gateway.api.MtuPolicy;
import io.dvr.gateway.api.NetworkApi;
import io.dvr.gateway.api.PortApi;
import io.dvr.gateway.api.PortCreates;
import io.dvr.gateway.api.RouterApi;
import io.dvr.gateway.api.QuotaApi;
import io.dvr.gateway.api.SubnetApi;
import io.dvr.gateway.api.TokenApi;
import io.dvr.gateway.auth.Authenticator;
import io.dvr.gateway.auth.SecurityFiles;
import io.dvr.gateway.auth.TokenAuthority;
import io.dvr.common.Metrics;
import io.dvr.gateway.bus.ConvergenceMeters;
import io.dvr.gateway.bus.HostAppliedRequests;
import io.dvr.gateway.bus.PortRequests;
import io.dvr.gateway.rest.NeutronServices;
import io.dvr.gateway.rest.RestFace;
import io.dvr.gateway.api.ChangeWaits;
import io.dvr.gateway.api.ConvergenceApi;
import io.dvr.gateway.store.AppliedStateStore;
import io.dvr.proto.v1.ConvergenceServiceGrpcService;
import io.dvr.gateway.store.AgentStore;
import io.dvr.gateway.store.FloatingIpStore;
import io.dvr.gateway.store.GatewayConstraints;
import io.dvr.gateway.store.NetworkStore;
import io.dvr.gateway.store.PortStore;
import io.dvr.gateway.store.QuotaStore;
import io.dvr.gateway.store.RouterStore;
import io.dvr.store.Database;
import io.dvr.store.OutboxRelay;
import io.dvr.store.Store;
import io.dvr.proto.v1.FloatingIpServiceGrpcService;
import io.dvr.proto.v1.NetworkServiceGrpcService;
import io.dvr.proto.v1.PortServiceGrpcService;
import io.dvr.proto.v1.QuotaServiceGrpcService;
import io.dvr.proto.v1.TokenServiceGrpcService;
import io.dvr.proto.v1.RouterServiceGrpcService;
import io.dvr.proto.v1.SubnetServiceGrpcService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The api-gateway of one process: database (embedded or external), the dvr.v1 gRPC services on
 * {@code api.port} (default 9090), the same services as Neutron's REST API on {@code rest.port}
 * (default 9696), the outbox relay that publishes committed changes, and the
 * event-bus requests about its ports (port status from agents, fg- ports from scheduler-svc).
 * {@link #stop()} releases all of it: server, relay (timer and LISTEN connection), consumers, and
 * the database when it opened it.
 */
public final class ApiGateway implements Stoppable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiGateway.class);
  /** The certificate api-gateway presents on its port. */
  public static final Identity IDENTITY = Identity.service("api-gateway");
  private static final String AUTH_WORKERS = "dvr-api-auth";

  private final Database database;
  private final boolean ownsDatabase;
  private final HttpServer server;
  private final HttpServer rest;
  private final OutboxRelay relay;
  private final List<MessageConsumer<Buffer>> consumers;
  private final Path adminToken;
  private final WorkerExecutor authWorkers;
  private final Vertx vertx;
  /** The refresh of the subnet meters. */
  private final long metersTimer;
  /** Counts the hosts out of sync for dvr_hosts_out_of_sync. */
  private final long convergenceTimer;
  private volatile boolean metersRunning = true;
  /** The group commit of CreatePort (set once the gateway serves). */
  private PortCreates portCreates;

  private ApiGateway(Vertx vertx, Database database, boolean ownsDatabase, HttpServer server, HttpServer rest,
      OutboxRelay relay, List<MessageConsumer<Buffer>> consumers, Path adminToken, WorkerExecutor authWorkers,
      long metersTimer, long convergenceTimer) {
    this.vertx = vertx;
    this.convergenceTimer = convergenceTimer;
    this.rest = rest;
    this.metersTimer = metersTimer;
    this.adminToken = adminToken;
    this.authWorkers = authWorkers;
    this.database = database;
    this.ownsDatabase = ownsDatabase;
    this.server = server;
    this.relay = relay;
    this.consumers = consumers;
  }

  /** Opens the configured database (embedded or external) and serves the API on it; stop() closes it. */
  public static Future<ApiGateway> start(Vertx vertx, Settings settings) {
    return Database.open(vertx, settings)
        .compose(db -> start(vertx, settings, db, true).onFailure(err -> db.close()));
  }

  /** Serves the API on a database opened by the caller (the all-in-one lab shares one). */
  public static Future<ApiGateway> start(Vertx vertx, Settings settings, Database db) {
    return start(vertx, settings, db, false);
  }

  private static Future<ApiGateway> start(Vertx vertx, Settings settings, Database db, boolean ownsDb) {
    Clock clock = Clock.systemUTC();
    // The threads of token work (files at start, ECDSA checks and signatures): a bounded pool of
    // its own, shared by the instances of this process and released with the last one.
    WorkerExecutor workers = vertx.createSharedWorkerExecutor(AUTH_WORKERS, Math.max(2,
        Runtime.getRuntime().availableProcessors()));
    return start(vertx, settings, db, ownsDb, clock, workers).onFailure(err -> workers.close());
  }

  private static Future<ApiGateway> start(Vertx vertx, Settings settings, Database db, boolean ownsDb, Clock clock,
      WorkerExecutor workers) {
    if (settings.getBoolean("insecure", false)) {
      LOG.warn("INSECURE (insecure=true, DVR_INSECURE): API AUTHENTICATION IS OFF. Every caller of port {} is an"
          + " admin of project '{}' without a token. Never run this where anyone else can reach the port.",
          settings.getInt("api.port", 9090), io.dvr.gateway.auth.Caller.ADMIN_PROJECT);
      return start(vertx, settings, db, ownsDb, Authenticator.insecure(), null, clock, workers);
    }
    // Reading or making the key and the admin token is file work: on a worker.
    record Material(TokenAuthority tokens, Path adminToken) {}
    return workers.executeBlocking(() -> {
      TokenAuthority tokens = new TokenAuthority(vertx, workers, SecurityFiles.signingKey(settings),
          settings.get("auth.issuer", "dvr"), settings.get("auth.audience", "dvr-api"), clock);
      return new Material(tokens, SecurityFiles.adminToken(settings, tokens, clock));
    }, false).compose(m -> start(vertx, settings, db, ownsDb, Authenticator.of(m.tokens()), m.adminToken(), clock,
        workers));
  }

  private static Future<ApiGateway> start(Vertx vertx, Settings settings, Database db, boolean ownsDb,
      Authenticator auth, Path adminToken, Clock clock, WorkerExecutor workers) {
    MtuPolicy mtu;
    try {
      mtu = new MtuPolicy(settings.getInt("network.physical-mtu", MtuPolicy.DEFAULT_PHYSICAL_MTU));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Store plain = new Store(db.pool(), GatewayConstraints.UNIQUE_MEANINGS);
    // Changes reach the bus right after their commit; the relay publishes what a dead writer left.
    Store store = settings.getBoolean("outbox.publish-after-commit", true)
        ? plain.publishingAfterCommit(vertx, settings.getLong("outbox.writer-grace-ms", 2000),
            settings.getLong("outbox.mark-delay-ms", 50)) : plain;
    QuotaStore quotas = new QuotaStore();
    PortStore ports = new PortStore(quotas);
    PortCreates portCreates = new PortCreates(store, ports, settings.getInt("ports.create-batch", PortCreates.DEFAULT_BATCH),
        settings.getInt("ports.create-transactions", PortCreates.DEFAULT_TRANSACTIONS));
    NetworkStore networks = new NetworkStore(quotas);
    RouterStore routers = new RouterStore(ports, quotas);
    AgentStore agents = new AgentStore(settings.getLong("agent.down-time-seconds", 75));
    long busTimeout = settings.getLong("bus.request-timeout-ms", 5000);
    // One service object per API, served by the gRPC face and called by the REST face alike.
    NeutronServices neutron = new NeutronServices(new NetworkApi(auth, store, networks, mtu),
        new SubnetApi(auth, store, networks), new PortApi(auth, store, ports, portCreates),
        new RouterApi(auth, vertx, store, routers, busTimeout),
        new FloatingIpApi(auth, store, new FloatingIpStore(ports, quotas)), new AgentApi(auth, vertx, store, agents, routers, busTimeout));
    AppliedStateStore applied = new AppliedStateStore();
    ChangeWaits waits = new ChangeWaits(vertx);
    ConvergenceMeters convergenceMeters = new ConvergenceMeters(Metrics.service(IDENTITY.name()));
    long metersMillis = settings.getLong("convergence.meters-seconds", 10) * 1000;
    var services = List.of(
        NetworkServiceGrpcService.of(neutron.networks()),
        SubnetServiceGrpcService.of(neutron.subnets()),
        RouterServiceGrpcService.of(neutron.routers()),
        PortServiceGrpcService.of(neutron.ports()),
        FloatingIpServiceGrpcService.of(neutron.floatingIps()),
        new AgentOnlyCalls(neutron.agents(), new AgentCalls(!Insecure.on(settings))),
        TokenServiceGrpcService.of(new TokenApi(auth, workers, clock)),
        QuotaServiceGrpcService.of(new QuotaApi(auth, store, quotas)),
        ConvergenceServiceGrpcService.of(new ConvergenceApi(auth, vertx, store, routers, applied, waits, busTimeout)));
    OutboxRelay relay = settings.getBoolean("outbox.relay-enabled", true)
        ? new OutboxRelay(vertx, db.pool(), db.connectOptions(), settings.getLong("outbox.poll-ms", 1000),
            settings.getLong("outbox.retain-ms", 10_000))
        : null;
    String host = settings.get("api.host", "0.0.0.0");
    int port = settings.getInt("api.port", 9090);
    String restHost = settings.get("rest.host", host);
    int restPort = settings.getInt("rest.port", 9696);
    // Files of the security material: read on a worker.
    Future<GrpcTls> tls = GrpcTls.load(vertx, settings, IDENTITY);
    Future<java.util.Optional<HostCredentials>> agentsSecret = HostProofs.loadCredentials(vertx, settings);
    return Future.all(tls, agentsSecret).map(v -> new Credentials(tls.result(), agentsSecret.result().orElse(null)))
        .compose(credentials -> {
          List<MessageConsumer<Buffer>> consumers = new ArrayList<>(
              new PortRequests(store, ports, credentials.agents()).serve(vertx));
          consumers.add(new HostAppliedRequests(store, applied, credentials.agents(), convergenceMeters).serve(vertx));
          consumers.add(waits.listen());
          return ServiceEndpoint.start(vertx, IDENTITY.name(), host, port, services, db.health()::check, credentials.tls())
              .compose(server -> RestFace.start(vertx, restHost, restPort, credentials.tls(), neutron)
                  .onFailure(err -> server.close())
                  .compose(rest -> (relay == null ? Future.<Void>succeededFuture() : relay.start())
                      .map(v -> new ApiGateway(vertx, db, ownsDb, server, rest, relay, consumers, adminToken, workers,
                          new SubnetMeters(Metrics.service(IDENTITY.name()), store).start(vertx,
                              settings.getLong("gateway.meters-seconds", 10) * 1000),
                          vertx.setPeriodic(metersMillis, id -> store.read(applied::hostsOutOfSync)
                              .onSuccess(convergenceMeters::outOfSync))).withPortCreates(portCreates))))
              .onFailure(err -> consumers.forEach(MessageConsumer::unregister));
        })
        .onSuccess(gw -> LOG.info("api-gateway serving dvr.v1 on {}:{} and Neutron's Networking v2.0 REST on {}:{}",
            host, gw.port(), restHost, gw.restPort()));
  }

  /** api-gateway's certificate, and the secret that checks the agents' event-bus credentials (null: insecure). */
  private record Credentials(GrpcTls tls, HostCredentials agents) {}

  private ApiGateway withPortCreates(PortCreates creates) {
    this.portCreates = creates;
    return this;
  }

  /** The group commit of CreatePort: its queue and how many transactions it ran. */
  public PortCreates portCreates() {
    return portCreates;
  }

  /** Where the bootstrap admin token is (none with authentication off). */
  public Optional<Path> adminTokenFile() {
    return Optional.ofNullable(adminToken);
  }

  public int port() {
    return server.actualPort();
  }

  /** The port of the Neutron REST face ({@code rest.port}, default 9696). */
  public int restPort() {
    return rest.actualPort();
  }

  /** Timers still pending (the outbox relay's); none once stopped. */
  public int activeTimers() {
    return (relay == null ? 0 : relay.activeTimers()) + (metersRunning ? 2 : 0);
  }

  public Database database() {
    return database;
  }

  @Override
  public Future<Void> stop() {
    vertx.cancelTimer(metersTimer);
    vertx.cancelTimer(convergenceTimer);
    metersRunning = false;
    Future<Void> relayStopped = relay == null ? Future.succeededFuture() : relay.stop();
    Future<Void> unregistered = Future.all(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
    return Future.all(relayStopped, unregistered).compose(v -> rest.close()).compose(v -> server.close()).eventually(authWorkers::close)
        .eventually(() -> {
          if (ownsDatabase) {
            database.close();
          }
          return Future.succeededFuture();
        });
  }
}

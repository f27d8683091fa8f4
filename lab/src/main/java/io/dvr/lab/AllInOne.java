package io.dvr.lab;

import io.dvr.agent.FactsStore;
import io.dvr.agent.HostAgentService;
import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.arp.ArpService;
import io.dvr.common.VertxBootstrap;
import io.dvr.common.config.Settings;
import io.dvr.common.logging.ServiceNames;
import io.dvr.common.security.GrpcTls;
import io.dvr.common.security.Insecure;
import io.dvr.gateway.ApiGateway;
import io.dvr.macalloc.MacAllocatorService;
import io.dvr.relay.RelayService;
import io.dvr.scheduler.SchedulerService;
import io.dvr.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The all-in-one lab: an embedded PostgreSQL and every service in one process, with three host
 * agents (network dvr_snat, compute1 and compute2 dvr), on the ports of the README; the process
 * also runs a relay, so agents of other hosts (their own processes) can attach to the lab.
 */
public final class AllInOne {
  private static final Logger LOG = LoggerFactory.getLogger(AllInOne.class);

  /**
   * The lab's hosts: name, agent mode, gRPC port of the agent, tunnel endpoint (simulated: it names
   * the br-tun tunnel ports and is reported to the peers as a real host's underlay address is).
   */
  static final List<String[]> HOSTS = List.of(
      new String[] {"network", "dvr_snat", "9094", "10.0.0.11"},
      new String[] {"compute1", "dvr", "9095", "10.0.0.12"},
      new String[] {"compute2", "dvr", "9096", "10.0.0.13"});

  private final Vertx vertx;
  private final Settings settings;
  private final Database database;
  private final ApiGateway gateway;
  private SchedulerService scheduler;
  private MacAllocatorService macAllocator;
  private ArpService arp;
  private RelayService relay;
  /** Per host: its agent, and the simulated kernel and facts that outlive an agent restart. */
  private final Map<String, HostAgentService> agents = new TreeMap<>();
  private final Map<String, MemoryHost> hosts = new TreeMap<>();
  private final Map<String, FactsStore> facts = new TreeMap<>();
  private final Map<String, String> tunnelIps = new TreeMap<>();

  private AllInOne(Vertx vertx, Settings settings, Database database, ApiGateway gateway) {
    this.vertx = vertx;
    this.settings = settings;
    this.database = database;
    this.gateway = gateway;
    HOSTS.forEach(h -> tunnelIps.put(h[0], h[3]));
  }

  /** One database for every service of the process: embedded unless db.url is set. */
  public static Future<AllInOne> start(Vertx vertx, Settings settings) {
    return startControlPlane(vertx, settings, true).compose(lab -> lab.addLabHosts()
        .map(lab).recover(err -> lab.stop().transform(v -> Future.failedFuture(err))));
  }

  /**
   * The control plane alone, on its database: api-gateway, mac-allocator-svc, arp-svc, and
   * scheduler-svc unless {@code withScheduler} is false ({@link #startScheduler()} starts it later).
   * Hosts join with {@link #addHost}; a test restarting the control plane orders its parts so.
   */
  static Future<AllInOne> startControlPlane(Vertx vertx, Settings given, boolean withScheduler) {
    return vertx.executeBlocking(() -> LabSecurity.prepare(given, HOSTS.stream().map(h -> h[0]).toList()))
        .compose(settings -> startControlPlaneOn(vertx, settings, withScheduler));
  }

  private static Future<AllInOne> startControlPlaneOn(Vertx vertx, Settings settings, boolean withScheduler) {
    return Database.open(vertx, settings).compose(db -> ApiGateway.start(vertx, settings, db)
        .onFailure(err -> db.close())
        .compose(gateway -> {
          AllInOne lab = new AllInOne(vertx, settings, db, gateway);
          Future<?> services = withScheduler ? lab.startScheduler() : Future.succeededFuture();
          return services.compose(v -> MacAllocatorService.start(vertx, settings, db)).compose(m -> {
            lab.macAllocator = m;
            return ArpService.start(vertx, settings, db);
          }).map(a -> {
            lab.arp = a;
            return lab;
          }).recover(err -> lab.stop().transform(v -> Future.failedFuture(err)));
        }));
  }

  /** Starts scheduler-svc (its first full reschedule begins at once). */
  Future<SchedulerService> startScheduler() {
    return SchedulerService.start(vertx, settings, database).onSuccess(s -> scheduler = s);
  }

  private Future<Void> addLabHosts() {
    Future<?> chain = Future.succeededFuture();
    for (String[] host : HOSTS) {
      chain = chain.compose(v -> addHost(host[0], host[1], settings.getInt("lab." + host[0] + ".port",
          Integer.parseInt(host[2]))));
    }
    return chain.mapEmpty();
  }

  /** Starts the agent of a new simulated host (a host joining the lab); a new host gets the next free tunnel endpoint. */
  public Future<HostAgentService> addHost(String host, String mode, int agentPort) {
    return addHost(host, mode, agentPort, new MemoryHost(host), FactsStore.inMemory());
  }

  /**
   * Starts the agent of a host that outlived a control plane (its kernel and facts file as they
   * were), with the lab's tunnel endpoint for that host.
   */
  Future<HostAgentService> addHost(String host, String mode, int agentPort, MemoryHost kernel, FactsStore hostFacts) {
    tunnelIps.computeIfAbsent(host, h -> "10.0.0." + (11 + tunnelIps.size()));
    hosts.put(host, kernel);
    facts.put(host, hostFacts);
    // The lab holds its CA: a host joining it gets its agent certificate here.
    return vertx.executeBlocking(() -> {
      LabSecurity.addHost(settings, host);
      return null;
    }).compose(v -> startAgent(host, mode, agentPort));
  }

  private Future<HostAgentService> startAgent(String host, String mode, int agentPort) {
    Settings agentSettings = settings.with(Map.of("host.name", host, "agent.mode", mode, "agent.tunnel-ip",
        tunnelIps.get(host), "host-agent.port", String.valueOf(agentPort), "api.address", "127.0.0.1:" + gateway.port()));
    return HostAgentService.start(vertx, agentSettings, hosts.get(host), facts.get(host))
        .onSuccess(agent -> agents.put(host, agent));
  }

  /** Stops a host's agent and starts a new one on the same host state, as a process restart would. */
  public Future<HostAgentService> restartAgent(String host, String mode) {
    return agents.remove(host).stop().compose(v -> startAgent(host, mode, 0));
  }

  /** Stops a host's agent (the host keeps its state), as a stopped agent process would. */
  public Future<Void> stopAgent(String host) {
    return agents.remove(host).stop();
  }

  /** Starts the agent of a host whose agent was stopped, on the host's state as it is. */
  public Future<HostAgentService> startAgent(String host, String mode) {
    return startAgent(host, mode, 0);
  }

  public HostAgentService agent(String host) {
    return agents.get(host);
  }

  public MemoryHost host(String host) {
    return hosts.get(host);
  }

  FactsStore facts(String host) {
    return facts.get(host);
  }

  Database database() {
    return database;
  }

  SchedulerService scheduler() {
    return scheduler;
  }

  public Map<String, HostAgentService> agents() {
    return Map.copyOf(agents);
  }

  public int apiPort() {
    return gateway.port();
  }

  /** The port scheduler-svc serves on. */
  public int schedulerPort() {
    return scheduler.port();
  }

  /** The port of the Neutron REST face (rest.port, default 9696). */
  public int restPort() {
    return gateway.restPort();
  }

  /** The bootstrap admin token api-gateway wrote (none with authentication off). */
  public java.util.Optional<java.nio.file.Path> adminTokenFile() {
    return gateway.adminTokenFile();
  }

  public Future<Void> stop() {
    return stopServices().eventually(() -> {
      database.close();
      return Future.succeededFuture();
    });
  }

  /**
   * Starts relay-svc on the lab's bus (relay.port, default 9097): an agent in its own process, on a
   * host minted with {@code dvr-lab.jar mint host NAME}, attaches to it with {@code agent.relays}.
   */
  public Future<RelayService> startRelay() {
    return RelayService.start(vertx, settings).onSuccess(r -> relay = r);
  }

  /** The port the lab's relay serves on (after {@link #startRelay}). */
  public int relayPort() {
    return relay.port();
  }

  /** The hosts whose agents are attached to the lab's relay now (none before {@link #startRelay}). */
  public Set<String> relayHosts() {
    return relay == null ? Set.of() : relay.attachedHosts();
  }

  /** Stops the relay (its agents' streams end), the agents, then every service (each releases its server, consumers and timers). */
  private Future<Void> stopServices() {
    Future<Void> chain = relay == null ? Future.succeededFuture() : relay.stop();
    for (HostAgentService agent : agents.values()) {
      chain = chain.compose(v -> agent.stop());
    }
    for (Supplier<Future<Void>> service : List.<Supplier<Future<Void>>>of(
        () -> arp == null ? Future.succeededFuture() : arp.stop(),
        () -> macAllocator == null ? Future.succeededFuture() : macAllocator.stop(),
        () -> scheduler == null ? Future.succeededFuture() : scheduler.stop())) {
      chain = chain.compose(v -> service.get());
    }
    return chain.compose(v -> gateway.stop());
  }

  public static void main(String[] args) {
    if (args.length > 0) {
      System.exit(MintCommand.run(args, Settings.fromEnvironment(), System.out, System.err));
    }
    ServiceNames.process("lab");
    Settings environment = Settings.fromEnvironment();
    Insecure.warnIfOn(environment, "all-in-one lab");
    // Before Vert.x: the clustered event bus (when on) needs the TLS files at creation.
    Settings settings = LabSecurity.prepare(environment, HOSTS.stream().map(h -> h[0]).toList());
    VertxBootstrap.start(settings)
        .compose(vertx -> start(vertx, settings).compose(lab -> lab.startRelay().map(lab))
            .compose(lab -> seedIfAsked(vertx, settings, lab)).onSuccess(lab -> {
          LOG.info("all-in-one lab up: dvr.v1 API on port {}, relay for other hosts' agents on port {}{}; try: ./dvrctl.sh agent-list",
              lab.apiPort(), lab.relayPort(),
              lab.adminTokenFile().map(f -> ", admin token in " + f).orElse(" without authentication (insecure)"));
          // Vert.x closed from the hook's thread once the lab stopped: closed from a callback on one of its
          // own event loops, its close completes on a loop already shut down and the hook waits forever.
          Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
              lab.stop().await(30, TimeUnit.SECONDS);
            } catch (Exception e) {
              LOG.warn("the lab did not stop cleanly: {}", e.toString());
            }
            vertx.close().await();
          }));
        }))
        .onFailure(err -> {
          LOG.error("the all-in-one lab failed to start", err);
          System.exit(1);
        });
  }

  /** With lab.seed=true (DVR_LAB_SEED), loads the seed's topology into an empty database. */
  static Future<AllInOne> seedIfAsked(Vertx vertx, Settings settings, AllInOne lab) {
    if (!settings.getBoolean("lab.seed", false)) {
      return Future.succeededFuture(lab);
    }
    return vertx.executeBlocking(() -> GrpcTls.of(lab.settings, ApiGateway.IDENTITY))
        .compose(tls -> SeedLoader.open(vertx, lab.apiPort(), tls, lab.adminTokenFile()))
        .compose(SeedLoader::load).map(outcome -> {
      LOG.info("lab.seed: {}", outcome.message);
      return lab;
    });
  }
}

package io.dvr.lab;

import io.dvr.agent.HostAgentService;
import io.dvr.arp.ArpService;
import io.dvr.common.VertxBootstrap;
import io.dvr.common.config.Settings;
import io.dvr.gateway.ApiGateway;
import io.dvr.macalloc.MacAllocatorService;
import io.dvr.scheduler.SchedulerService;
import io.dvr.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The all-in-one lab: an embedded PostgreSQL and every service in one process, with three host
 * agents (network dvr_snat, compute1 and compute2 dvr), on the ports of the README.
 */
public final class AllInOne {
  private static final Logger LOG = LoggerFactory.getLogger(AllInOne.class);

  /** The lab's hosts: name, agent mode, gRPC port of the agent. */
  static final List<String[]> HOSTS = List.of(
      new String[] {"network", "dvr_snat", "9094"},
      new String[] {"compute1", "dvr", "9095"},
      new String[] {"compute2", "dvr", "9096"});

  private final Database database;
  private final ApiGateway gateway;
  private final List<HostAgentService> agents;

  private AllInOne(Database database, ApiGateway gateway, List<HostAgentService> agents) {
    this.database = database;
    this.gateway = gateway;
    this.agents = agents;
  }

  /** One database for every service of the process: embedded unless db.url is set. */
  public static Future<AllInOne> start(Vertx vertx, Settings settings) {
    return Database.open(vertx, settings).compose(db -> start(vertx, settings, db).onFailure(err -> db.close()));
  }

  private static Future<AllInOne> start(Vertx vertx, Settings settings, Database db) {
    return ApiGateway.start(vertx, settings, db).compose(gateway -> {
      String api = "127.0.0.1:" + gateway.port();
      Future<?> services = SchedulerService.start(vertx, settings, db)
          .compose(v -> MacAllocatorService.start(vertx, settings, db))
          .compose(v -> ArpService.start(vertx, settings, db));
      List<HostAgentService> agents = new ArrayList<>();
      for (String[] host : HOSTS) {
        Settings agentSettings = settings.with(Map.of("host.name", host[0], "agent.mode", host[1],
            "host-agent.port", settings.get("lab." + host[0] + ".port", host[2]), "api.address", api));
        services = services.compose(v -> HostAgentService.start(vertx, agentSettings).onSuccess(agents::add));
      }
      return services.map(v -> new AllInOne(db, gateway, agents));
    });
  }

  public int apiPort() {
    return gateway.port();
  }

  public Future<Void> stop() {
    Future<Void> chain = Future.succeededFuture();
    for (HostAgentService agent : agents) {
      chain = chain.compose(v -> agent.stop());
    }
    return chain.compose(v -> gateway.stop()).eventually(() -> {
      database.close();
      return Future.succeededFuture();
    });
  }

  public static void main(String[] args) {
    Settings settings = Settings.fromEnvironment();
    VertxBootstrap.start(settings)
        .compose(vertx -> start(vertx, settings).onSuccess(lab -> {
          LOG.info("all-in-one lab up: dvr.v1 API on port {}; try: ./dvrctl.sh agent-list",
              lab.apiPort());
          Runtime.getRuntime().addShutdownHook(new Thread(() -> lab.stop().eventually(vertx::close).await()));
        }))
        .onFailure(err -> {
          LOG.error("the all-in-one lab failed to start", err);
          System.exit(1);
        });
  }
}

package io.dvr.clusterit;

import io.dvr.agent.HostAgentService;
import io.dvr.arp.ArpService;
import io.dvr.common.VertxBootstrap;
import io.dvr.common.config.Settings;
import io.dvr.gateway.ApiGateway;
import io.dvr.macalloc.MacAllocatorService;
import io.dvr.scheduler.SchedulerService;
import io.dvr.store.Database;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test-only process: starts every service once on a clustered Vert.x (a database of its own, a
 * cluster of one), then exits, so that -XX:ArchiveClassesAtExit records the classes all of them
 * load at start. See {@link ClassDataSharing}.
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) throws Exception {
    Settings settings = Settings.fromEnvironment().with(Map.of("cluster.members",
        "127.0.0.1:" + Settings.fromEnvironment().get("cluster.port", "5701"), "scheduler.port", "0",
        "mac-allocator.port", "0", "arp.port", "0", "host-agent.port", "0", "host.name", "cds-training"));
    Future<?> all = VertxBootstrap.start(settings).compose(vertx -> ApiGateway.start(vertx, settings)
        .compose(gw -> Database.open(vertx, settings))
        .compose(db -> SchedulerService.start(vertx, settings, db)
            .compose(v -> MacAllocatorService.start(vertx, settings, db))
            .compose(v -> ArpService.start(vertx, settings, db)))
        .compose(v -> HostAgentService.start(vertx, settings)));
    int status = 0;
    try {
      all.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    }
    System.exit(status);
  }
}

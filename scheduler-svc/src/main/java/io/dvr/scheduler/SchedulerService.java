package io.dvr.scheduler;

import io.dvr.common.ServiceMain;
import io.dvr.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;

/**
 * scheduler-svc: places each distributed router on the hosts that need it and its SNAT on one dvr_snat host.
 * This service is a thin shell for now: it runs, joins the event bus and answers gRPC health
 * and reflection on {@code scheduler.port} (default 9091).
 */
public final class SchedulerService {
  public static final String NAME = "scheduler";
  public static final int DEFAULT_PORT = 9091;

  private SchedulerService() {}

  public static Future<HttpServer> start(Vertx vertx, Settings settings) {
    return ServiceMain.serve(vertx, settings, NAME, DEFAULT_PORT, List.of());
  }
}

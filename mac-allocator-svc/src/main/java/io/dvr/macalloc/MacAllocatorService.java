package io.dvr.macalloc;

import io.dvr.common.ServiceMain;
import io.dvr.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;

/**
 * mac-allocator-svc: one unique DVR host MAC (fa:16:3f:...) per host.
 * This service is a thin shell for now: it runs, joins the event bus and answers gRPC health
 * and reflection on {@code mac-allocator.port} (default 9092).
 */
public final class MacAllocatorService {
  public static final String NAME = "mac-allocator";
  public static final int DEFAULT_PORT = 9092;

  private MacAllocatorService() {}

  public static Future<HttpServer> start(Vertx vertx, Settings settings) {
    return ServiceMain.serve(vertx, settings, NAME, DEFAULT_PORT, List.of());
  }
}

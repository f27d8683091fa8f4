package io.dvr.arp;

import io.dvr.common.ServiceMain;
import io.dvr.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;

/**
 * arp-svc: distributes each router's ARP table to the hosts that carry it.
 * This service is a thin shell for now: it runs, joins the event bus and answers gRPC health
 * and reflection on {@code arp.port} (default 9093).
 */
public final class ArpService {
  public static final String NAME = "arp";
  public static final int DEFAULT_PORT = 9093;

  private ArpService() {}

  public static Future<HttpServer> start(Vertx vertx, Settings settings) {
    return ServiceMain.serve(vertx, settings, NAME, DEFAULT_PORT, List.of());
  }
}

package io.dvr.agent;

import io.dvr.common.ServiceMain;
import io.dvr.common.config.Settings;
import io.dvr.common.model.AgentModes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;

/**
 * host-agent-svc: one per host (dvr or dvr_snat); renders and applies the host's DVR state.
 * For now it registers with the API and sends heartbeats, so that agent-list shows it alive,
 * and answers gRPC health and reflection on {@code host-agent.port} (default 9094).
 */
public final class HostAgentService {
  public static final String NAME = "host-agent";
  public static final int DEFAULT_PORT = 9094;

  private final HttpServer server;
  private final Heartbeat heartbeat;

  private HostAgentService(HttpServer server, Heartbeat heartbeat) {
    this.server = server;
    this.heartbeat = heartbeat;
  }

  public static Future<HostAgentService> start(Vertx vertx, Settings settings) {
    String host = settings.get("host.name", null);
    if (host == null) {
      return Future.failedFuture(new IllegalArgumentException(
          "setting host.name (" + Settings.envName("host.name") + ") is required"));
    }
    String mode = settings.get("agent.mode", AgentModes.DVR);
    if (!AgentModes.ALL.contains(mode)) {
      return Future.failedFuture(new IllegalArgumentException("setting agent.mode ("
          + Settings.envName("agent.mode") + ") is '" + mode + "'; it must be dvr, dvr_snat or legacy"));
    }
    Heartbeat heartbeat = new Heartbeat(vertx, settings, host, mode);
    return ServiceMain.serve(vertx, settings, NAME, DEFAULT_PORT, List.of())
        .map(server -> {
          heartbeat.start();
          return new HostAgentService(server, heartbeat);
        });
  }

  public int port() {
    return server.actualPort();
  }

  public Future<Void> stop() {
    heartbeat.stop();
    return server.close();
  }
}

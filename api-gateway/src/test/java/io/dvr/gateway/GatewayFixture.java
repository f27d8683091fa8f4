package io.dvr.gateway;

import io.dvr.common.VertxBootstrap;
import io.dvr.common.config.Settings;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real api-gateway for tests: embedded PostgreSQL on a data directory, gRPC over TLS (the tests'
 * material, {@link TestSecurity}; plaintext only when {@code insecure} is passed) on an ephemeral
 * port, and a gRPC client that talks to it over a socket as a user would, with the admin token the
 * gateway wrote into the security directory.
 */
public final class GatewayFixture extends ApiClient implements AutoCloseable {
  public final Vertx vertx;
  public final ApiGateway gateway;
  /** The admin token (null with authentication off). */
  public final String adminToken;

  private GatewayFixture(Vertx vertx, ApiGateway gateway, Settings settings, String adminToken) {
    super(vertx, gateway.port(), TestSecurity.userFor(settings), adminToken);
    this.vertx = vertx;
    this.gateway = gateway;
    this.adminToken = adminToken;
  }

  public static GatewayFixture start(Path dataDir, Map<String, String> extra) {
    // The same Vert.x setup as a service process (metrics on, cluster off unless configured).
    return start(await(VertxBootstrap.start(Settings.of(extra))), dataDir, extra);
  }

  /** Starts on a given Vert.x, so that a test can listen on its event bus before the relay runs. */
  public static GatewayFixture start(Vertx vertx, Path dataDir, Map<String, String> extra) {
    Settings settings = Settings.of(Map.of("db.data-dir", dataDir.toString(), "api.port", "0", "rest.port", "0",
        "api.host", "127.0.0.1", "outbox.poll-ms", "200")).with(TestSecurity.settings()).with(extra);
    ApiGateway gateway = await(ApiGateway.start(vertx, settings));
    return new GatewayFixture(vertx, gateway, settings, gateway.adminTokenFile().map(ApiClient::tokenIn).orElse(null));
  }

  public static GatewayFixture start(Path dataDir) {
    return start(dataDir, Map.of());
  }

  public int port() {
    return gateway.port();
  }

  @Override
  public void close() {
    try {
      await(gateway.stop());
    } finally {
      await(vertx.close());
    }
  }
}

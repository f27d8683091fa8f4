package io.dvr.gateway;

import io.dvr.common.ServiceMain;
import io.dvr.common.config.Settings;

/** Runs api-gateway alone. Settings: see the configuration table of the README. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Settings settings = Settings.fromEnvironment();
    // Closing Vert.x at exit closes the server, the relay and the pool; the embedded server stops with the JVM.
    ServiceMain.run("api-gateway", vertx -> ApiGateway.start(vertx, settings));
  }
}

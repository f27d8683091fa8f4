package io.dvr.gateway;

import io.dvr.common.ServiceMain;
import io.dvr.common.config.Settings;

/**
 * Runs api-gateway alone. Settings: see the configuration table of the README. With
 * {@code init-security} it makes a deployment's security material and exits ({@link SecurityInit}).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Settings settings = Settings.fromEnvironment();
    if (args.length > 0 && args[0].equals(SecurityInit.COMMAND)) {
      System.exit(SecurityInit.run(args, settings, System.out, System.err));
    }
    // Closing Vert.x at exit closes the server, the relay and the pool; the embedded server stops with the JVM.
    ServiceMain.run("api-gateway", vertx -> ApiGateway.start(vertx, settings));
  }
}

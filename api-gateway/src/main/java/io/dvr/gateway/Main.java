package io.dvr.gateway;

import io.dvr.common.VertxBootstrap;
import io.dvr.common.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs api-gateway alone. Settings: see the configuration table of the README. */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    Settings settings = Settings.fromEnvironment();
    VertxBootstrap.start(settings)
        .compose(vertx -> ApiGateway.start(vertx, settings).onSuccess(gw ->
            Runtime.getRuntime().addShutdownHook(new Thread(() -> gw.stop().await()))))
        .onFailure(err -> {
          LOG.error("api-gateway failed to start", err);
          System.exit(1);
        });
  }
}

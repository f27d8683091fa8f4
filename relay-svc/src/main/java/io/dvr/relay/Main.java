package io.dvr.relay;

import io.dvr.common.ServiceMain;
import io.dvr.common.config.Settings;

/** Runs relay-svc in its own process: a lite member of the clustered event bus that host agents attach to. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Settings settings = RelayService.processSettings(Settings.fromEnvironment());
    ServiceMain.run(RelayService.NAME, settings, vertx -> RelayService.start(vertx, settings));
  }
}

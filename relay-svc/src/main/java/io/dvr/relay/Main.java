package io.dvr.relay;

import io.dvr.common.ServiceMain;
import io.dvr.common.config.Settings;

/** Runs relay-svc in its own process: a member of the clustered event bus that host agents attach to. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    ServiceMain.run(RelayService.NAME, vertx -> RelayService.start(vertx, Settings.fromEnvironment()));
  }
}

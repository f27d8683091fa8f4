package io.dvr.arp;

import io.dvr.common.ServiceMain;
import io.dvr.common.config.Settings;

/** Runs arp in its own process. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    ServiceMain.run(ArpService.NAME, vertx -> ArpService.start(vertx, Settings.fromEnvironment()));
  }
}

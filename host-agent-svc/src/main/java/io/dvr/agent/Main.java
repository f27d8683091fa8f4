package io.dvr.agent;

import io.dvr.common.ServiceMain;
import io.dvr.common.config.Settings;

/** Runs host-agent in its own process. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    ServiceMain.run(HostAgentService.NAME, vertx -> HostAgentService.start(vertx, Settings.fromEnvironment()));
  }
}

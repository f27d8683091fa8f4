package io.dvr.agent;

import io.dvr.common.ServiceMain;
import io.dvr.common.config.Settings;

/**
 * Runs host-agent in its own process: a member of the clustered event bus, or, with
 * {@code agent.relays} set, attached to a relay and no member at all (no Hazelcast in the process).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Settings settings = HostAgentService.processSettings(Settings.fromEnvironment());
    ServiceMain.run(HostAgentService.NAME, settings, vertx -> HostAgentService.start(vertx, settings));
  }
}

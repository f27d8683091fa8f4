package io.dvr.agent;

import io.dvr.common.ServiceMain;
import io.dvr.common.VertxBootstrap;
import io.dvr.common.config.Settings;
import io.dvr.common.logging.ServiceNames;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Runs host-agent in its own process: a member of the clustered event bus, or, with
 * {@code agent.relays} set, attached to a relay and no member at all (no Hazelcast class loaded;
 * the relay-only jar carries none).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Settings settings = HostAgentService.processSettings(Settings.fromEnvironment());
    Optional<String> refusal = HostAgentService.refusalWithoutCluster(settings, VertxBootstrap.clusterAvailable());
    if (refusal.isPresent()) {
      ServiceNames.process(HostAgentService.NAME);
      LoggerFactory.getLogger(Main.class).error("host-agent cannot start: {}", refusal.get());
      System.exit(1);
    }
    ServiceMain.run(HostAgentService.NAME, settings, vertx -> HostAgentService.start(vertx, settings));
  }
}

package io.dvr.clusterit;

import io.dvr.agent.HostAgentService;
import io.dvr.common.VertxBootstrap;
import io.dvr.common.config.Settings;
import io.dvr.common.model.AgentModes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test-only process: N host agents on the memory driver in one JVM, which joins the cluster as a
 * Hazelcast lite member (one JVM per agent would not fit 50 agents on two cores). Hosts are
 * {@code agents.prefix} + 1..{@code agents.count}; the first {@code agents.snat-count} are dvr_snat,
 * the rest dvr. Their state is read through the API (AgentService/GetHostState over the event bus).
 * Every other setting as for host-agent-svc (cluster.*, api.address, agent.*).
 */
public final class AgentsMain {
  private static final Logger LOG = LoggerFactory.getLogger(AgentsMain.class);

  private AgentsMain() {}

  public static void main(String[] args) {
    Settings settings = Settings.fromEnvironment().with("cluster.lite-member", "true");
    String prefix = settings.get("agents.prefix", "host");
    int count = settings.getInt("agents.count", 1);
    int snat = settings.getInt("agents.snat-count", 0);
    VertxBootstrap.start(settings)
        .compose(vertx -> startAll(vertx, settings, prefix, count, snat).onSuccess(agents -> {
          LOG.info("{} host agents up: {}1..{}{} ({} dvr_snat)", agents.size(), prefix, prefix, count, snat);
          Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll(vertx, agents)));
        }))
        .onFailure(err -> {
          LOG.error("host agents failed to start", err);
          System.exit(1);
        });
  }

  /** All at once, as 50 hosts booting together would. */
  static Future<List<HostAgentService>> startAll(Vertx vertx, Settings settings, String prefix, int count, int snat) {
    List<Future<HostAgentService>> started = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      started.add(HostAgentService.start(vertx, settings.with(Map.of("host.name", prefix + i,
          "agent.mode", i <= snat ? AgentModes.DVR_SNAT : AgentModes.DVR, "host-agent.port", "0"))));
    }
    return Future.all(started).map(all -> all.<HostAgentService>list());
  }

  private static void stopAll(Vertx vertx, List<HostAgentService> agents) {
    Future.all(agents.stream().map(HostAgentService::stop).toList()).eventually(vertx::close).await();
  }
}

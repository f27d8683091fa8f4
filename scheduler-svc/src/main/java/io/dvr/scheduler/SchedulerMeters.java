package io.dvr.scheduler;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Map;

/**
 * What the scheduler sees of the hosts, refreshed from the database every few seconds:
 * {@code dvr_agents_alive{mode}} (alive L3 agents by mode, as placement judges liveness) and
 * {@code dvr_snat_routers{host}} (routers whose SNAT each host holds).
 */
final class SchedulerMeters {
  private final MultiGauge agentsAlive;
  private final MultiGauge snatRouters;

  SchedulerMeters(MeterRegistry registry) {
    agentsAlive = MultiGauge.builder("dvr.agents.alive").description("alive L3 agents by mode").register(registry);
    snatRouters = MultiGauge.builder("dvr.snat.routers").description("routers whose SNAT the host holds")
        .register(registry);
  }

  void agentsAlive(Map<String, Long> byMode) {
    agentsAlive.register(rows("mode", byMode), true);
  }

  void snatRouters(Map<String, Long> byHost) {
    snatRouters.register(rows("host", byHost), true);
  }

  private static List<MultiGauge.Row<?>> rows(String tag, Map<String, Long> values) {
    return values.entrySet().stream()
        .<MultiGauge.Row<?>>map(e -> MultiGauge.Row.of(Tags.of(tag, e.getKey()), e.getValue()))
        .toList();
  }
}

package io.dvr.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SchedulerMetersTest {
  @Test
  @DisplayName("each refresh replaces the series: a host that holds no SNAT any more has no series left")
  void refreshReplacesSeries() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SchedulerMeters meters = new SchedulerMeters(registry);
    meters.snatRouters(Map.of("net-a", 2L, "net-b", 1L));
    meters.agentsAlive(Map.of("dvr", 2L, "dvr_snat", 1L));
    assertThat(registry.get("dvr.snat.routers").tag("host", "net-a").gauge().value()).isEqualTo(2);
    assertThat(registry.get("dvr.agents.alive").tag("mode", "dvr").gauge().value()).isEqualTo(2);

    meters.snatRouters(Map.of("net-a", 3L));
    assertThat(registry.get("dvr.snat.routers").tag("host", "net-a").gauge().value()).isEqualTo(3);
    assertThat(registry.find("dvr.snat.routers").tag("host", "net-b").gauge()).isNull();
  }
}

package io.dvr.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.common.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class VertxBootstrapMetricsTest {
  @Test
  @DisplayName("a process meters Vert.x and its JVM by default; metrics.jvm=false leaves the JVM's out, not Vert.x's")
  void jvmMetersBySetting() {
    assertThat(VertxBootstrap.metricsOptions(Settings.of(Map.of())).isJvmMetricsEnabled()).isTrue();
    var lean = VertxBootstrap.metricsOptions(Settings.of(Map.of("metrics.jvm", "false")));
    assertThat(lean.isEnabled()).isTrue();
    assertThat(lean.isJvmMetricsEnabled()).isFalse();
  }

  @Test
  @DisplayName("a metrics.jvm that is no boolean is refused, naming the setting")
  void badValue() {
    assertThatThrownBy(() -> VertxBootstrap.metricsOptions(Settings.of(Map.of("metrics.jvm", "maybe"))))
        .hasMessageContaining("metrics.jvm").hasMessageContaining("maybe");
  }
}

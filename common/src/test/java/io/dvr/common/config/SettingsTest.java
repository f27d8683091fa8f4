package io.dvr.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SettingsTest {
  @Test
  @DisplayName("overrides win, defaults fill in, environment names are DVR_ plus the upper-cased key")
  void lookup() {
    Settings s = Settings.of(Map.of("api.port", "9999", "cluster.members", "a:5701, b:5701"));
    assertThat(s.getInt("api.port", 1)).isEqualTo(9999);
    assertThat(s.getInt("scheduler.port", 9091)).isEqualTo(9091);
    assertThat(s.getList("cluster.members", List.of())).containsExactly("a:5701", "b:5701");
    assertThat(s.with("api.port", "1").getInt("api.port", 0)).isEqualTo(1);
    assertThat(Settings.envName("db.data-dir")).isEqualTo("DVR_DB_DATA_DIR");
  }

  @Test
  @DisplayName("a bad value names the setting, its environment variable and the value")
  void badValue() {
    Settings s = Settings.of(Map.of("api.port", "ninety", "cluster.enabled", "perhaps"));
    assertThatThrownBy(() -> s.getInt("api.port", 1)).hasMessageContaining("api.port")
        .hasMessageContaining("DVR_API_PORT").hasMessageContaining("'ninety'");
    assertThatThrownBy(() -> s.getBoolean("cluster.enabled", false)).hasMessageContaining("'perhaps'");
  }
}

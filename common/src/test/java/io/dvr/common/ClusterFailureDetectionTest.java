package io.dvr.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.spi.properties.ClusterProperty;
import com.hazelcast.spi.properties.HazelcastProperties;
import io.dvr.common.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The settings that decide how soon a member that died without leaving is removed reach
 * Hazelcast, read back through Hazelcast's own property definitions (a misspelt property name
 * would silently leave its default).
 */
class ClusterFailureDetectionTest {
  private static HazelcastProperties hazelcast(Map<String, String> values) {
    Config config = ClusterBootstrap.hazelcastConfig(Settings.of(values), "127.0.0.1");
    return new HazelcastProperties(config);
  }

  @Test
  @DisplayName("by default: 3 s connect time-out, a heartbeat every second, suspected after 15 s without one")
  void defaults() {
    HazelcastProperties properties = hazelcast(Map.of());
    assertThat(properties.getSeconds(ClusterProperty.SOCKET_CONNECT_TIMEOUT_SECONDS)).isEqualTo(3);
    assertThat(properties.getSeconds(ClusterProperty.HEARTBEAT_INTERVAL_SECONDS)).isEqualTo(1);
    assertThat(properties.getSeconds(ClusterProperty.MAX_NO_HEARTBEAT_SECONDS)).isEqualTo(15);
  }

  @Test
  @DisplayName("cluster.connect-timeout-seconds, cluster.heartbeat-interval-seconds and cluster.max-no-heartbeat-seconds reach the Hazelcast config")
  void settingsReachHazelcast() {
    HazelcastProperties properties = hazelcast(Map.of("cluster.connect-timeout-seconds", "7",
        "cluster.heartbeat-interval-seconds", "2", "cluster.max-no-heartbeat-seconds", "40"));
    assertThat(properties.getSeconds(ClusterProperty.SOCKET_CONNECT_TIMEOUT_SECONDS)).isEqualTo(7);
    assertThat(properties.getSeconds(ClusterProperty.HEARTBEAT_INTERVAL_SECONDS)).isEqualTo(2);
    assertThat(properties.getSeconds(ClusterProperty.MAX_NO_HEARTBEAT_SECONDS)).isEqualTo(40);
  }

  @Test
  @DisplayName("zero, negative or non-numeric values are refused, naming the setting, its variable and the value")
  void badValues() {
    assertThatThrownBy(() -> hazelcast(Map.of("cluster.connect-timeout-seconds", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cluster.connect-timeout-seconds").hasMessageContaining("DVR_CLUSTER_CONNECT_TIMEOUT_SECONDS")
        .hasMessageContaining("is 0").hasMessageContaining("at least 1");
    assertThatThrownBy(() -> hazelcast(Map.of("cluster.heartbeat-interval-seconds", "-2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cluster.heartbeat-interval-seconds").hasMessageContaining("is -2");
    assertThatThrownBy(() -> hazelcast(Map.of("cluster.max-no-heartbeat-seconds", "soon")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cluster.max-no-heartbeat-seconds").hasMessageContaining("'soon'");
  }

  @Test
  @DisplayName("a heartbeat deadline not longer than the heartbeat interval is refused, naming both")
  void deadlineShorterThanInterval() {
    assertThatThrownBy(() -> hazelcast(Map.of("cluster.heartbeat-interval-seconds", "5",
        "cluster.max-no-heartbeat-seconds", "5")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cluster.max-no-heartbeat-seconds").hasMessageContaining("is 5")
        .hasMessageContaining("cluster.heartbeat-interval-seconds (5)");
  }
}

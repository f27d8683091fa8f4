package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.dvr.common.config.Settings;
import io.dvr.common.security.GrpcTls;
import io.dvr.common.security.Insecure;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.ReportAgentStateRequest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** insecure=true (DVR_INSECURE): plaintext and no agent checks, as before security existed, said loudly. */
class InsecureModeTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("insecure: a plaintext client is answered and anyone may report an agent; the start warns loudly what is off")
  void insecure() {
    try (LogCapture log = new LogCapture(Insecure.class)) {
      Insecure.warnIfOn(Settings.of(Map.of("insecure", "true")), "api-gateway");
      Insecure.warnIfOn(Settings.of(Map.of()), "api-gateway");
      assertThat(log.events()).singleElement().satisfies(e -> {
        assertThat(e.getLevel()).isEqualTo(Level.WARN);
        assertThat(e.getFormattedMessage()).contains("INSECURE").contains("TLS on gRPC ports is OFF")
            .contains("agents are NOT authenticated");
      });
    }
    try (GatewayFixture gw = GatewayFixture.start(dir.resolve("pg"), Map.of("insecure", "true",
        "security.dir", dir.resolve("none").toString()))) {
      ApiClient plain = new ApiClient(gw.vertx, gw.port(), GrpcTls.off());
      assertThat(plain.call(AgentServiceGrpcClient.ReportAgentState, ReportAgentStateRequest.newBuilder()
          .setHost("compute1").setAgentType("L3 agent").setAgentMode("dvr").build()).getHost()).isEqualTo("compute1");
    }
  }
}

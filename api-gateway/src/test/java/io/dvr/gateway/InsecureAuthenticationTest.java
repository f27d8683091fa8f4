package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

@DisplayName("insecure=true (DVR_INSECURE) switches authentication off, with a loud warning")
class InsecureAuthenticationTest {
  @TempDir Path dataDir;

  @Test
  @DisplayName("calls without a token act as an admin of project 'admin'; no key or token is written; the start warns")
  void insecure() {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    Path securityDir = dataDir.resolve("security");
    try (GatewayFixture gw = GatewayFixture.start(dataDir.resolve("pg"), Map.of("insecure", "true",
        "security.dir", securityDir.toString()))) {
      assertThat(gw.adminToken).isNull();
      ApiClient anyone = gw.as(null);
      assertThat(anyone.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName("n")
          .build()).getProjectId()).isEqualTo("admin");
      anyone.call(AgentServiceGrpcClient.ListAgents, ListAgentsRequest.getDefaultInstance());
      assertThat(securityDir.resolve("jwt-signing.pem")).doesNotExist();
      assertThat(securityDir.resolve("admin.token")).doesNotExist();
    } finally {
      root.detachAppender(logs);
    }
    assertThat(logs.list).anyMatch(e -> e.getLevel() == Level.WARN
        && e.getFormattedMessage().startsWith("INSECURE (insecure=true, DVR_INSECURE): API AUTHENTICATION IS OFF"));
  }
}

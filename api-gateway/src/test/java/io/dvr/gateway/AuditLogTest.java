package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.dvr.common.logging.LogLineEncoder;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.DeleteNetworkRequest;
import io.dvr.proto.v1.GetNetworkRequest;
import io.dvr.proto.v1.IssueTokenRequest;
import io.dvr.proto.v1.IssuedToken;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.TokenServiceGrpcClient;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

@DisplayName("Each mutating API call writes one audit line (who, what, result) on dvr.audit; reads write none")
class AuditLogTest {
  @TempDir static Path dataDir;
  static GatewayFixture gw;

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** The audit line's fields, as its JSON line carries them. */
  private static JsonObject json(ILoggingEvent event) {
    LogLineEncoder encoder = new LogLineEncoder();
    encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    encoder.setFormat("json");
    encoder.start();
    return new JsonObject(new String(encoder.encode(event), StandardCharsets.UTF_8).trim());
  }

  /** Runs the calls and returns the audit lines they wrote once {@code expected} lines are there. */
  private static List<JsonObject> audited(int expected, Runnable calls) {
    try (LogCapture audit = new LogCapture("dvr.audit")) {
      calls.run();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> audit.events().size() >= expected);
      return audit.events().stream().map(AuditLogTest::json).toList();
    }
  }

  @Test
  @DisplayName("a create, a refused create, a delete of an unknown id: one line each with subject, project, method, id and status; reads none")
  void mutatingCallsAreAudited() {
    String reader = gw.call(TokenServiceGrpcClient.IssueToken, IssueTokenRequest.newBuilder().setProjectId("audited")
        .setRole("reader").setSubject("rita").build()).getToken();
    String unknown = UUID.randomUUID().toString();
    Network[] made = new Network[1];
    List<JsonObject> lines = audited(4, () -> {
      made[0] = gw.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName("n1").build());
      gw.call(NetworkServiceGrpcClient.ListNetworks, ListNetworksRequest.getDefaultInstance());
      gw.call(NetworkServiceGrpcClient.GetNetwork, GetNetworkRequest.newBuilder().setId(made[0].getId()).build());
      gw.as(reader).fail(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName("n2").build());
      gw.fail(NetworkServiceGrpcClient.DeleteNetwork, DeleteNetworkRequest.newBuilder().setId(unknown).build());
      gw.as(null).fail(NetworkServiceGrpcClient.DeleteNetwork, DeleteNetworkRequest.newBuilder().setId(unknown).build());
      // The last call, a read: had reads been audited, its line would be in by the time the 4th is.
      gw.call(NetworkServiceGrpcClient.ListNetworks, ListNetworksRequest.getDefaultInstance());
    });
    assertThat(lines).hasSize(4);
    assertThat(lines).allSatisfy(l -> {
      assertThat(l.getString("logger")).isEqualTo("dvr.audit");
      assertThat(l.getString("service")).isEqualTo("api-gateway");
    });
    assertThat(lines.get(0).getMap()).containsEntry("audit_subject", "admin").containsEntry("audit_project", "admin")
        .containsEntry("audit_method", "CreateNetwork").containsEntry("audit_resource", made[0].getId())
        .containsEntry("audit_status", "OK").containsEntry("revision", String.valueOf(made[0].getRevision()));
    assertThat(lines.get(1).getMap()).doesNotContainKey("revision");
    assertThat(lines.get(1).getMap()).containsEntry("audit_subject", "rita").containsEntry("audit_project", "audited")
        .containsEntry("audit_method", "CreateNetwork").containsEntry("audit_status", "PERMISSION_DENIED");
    assertThat(lines.get(2).getMap()).containsEntry("audit_method", "DeleteNetwork")
        .containsEntry("audit_resource", unknown).containsEntry("audit_status", "NOT_FOUND");
    assertThat(lines.get(3).getMap()).containsEntry("audit_subject", "-").containsEntry("audit_method", "DeleteNetwork")
        .containsEntry("audit_status", "UNAUTHENTICATED");
    assertThat(lines.get(0).getString("message"))
        .isEqualTo("CreateNetwork " + made[0].getId() + " by admin (project admin): OK");
  }

  @Test
  @DisplayName("issuing a token is audited by its project, never with the token")
  void issuedTokenStaysOut() {
    IssuedToken[] issued = new IssuedToken[1];
    List<JsonObject> lines = audited(1, () -> issued[0] = gw.call(TokenServiceGrpcClient.IssueToken,
        IssueTokenRequest.newBuilder().setProjectId("tenant-t").setRole("member").build()));
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0).getMap()).containsEntry("audit_method", "IssueToken")
        .containsEntry("audit_resource", "tenant-t").containsEntry("audit_status", "OK");
    assertThat(lines.get(0).encode()).doesNotContain(issued[0].getToken());
  }
}

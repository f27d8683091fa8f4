package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.grpc.RpcFailure;
import io.dvr.common.logging.LogLineEncoder;
import io.dvr.common.security.GrpcTls;
import io.dvr.common.security.SecurityMaterial;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.SeedTopology;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.GetPortRequest;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Status;
import io.dvr.proto.v1.ReportAgentStateRequest;
import io.dvr.proto.v1.IssueTokenRequest;
import io.dvr.proto.v1.TokenServiceGrpcClient;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.PemTrustOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A full lab run, from creating its security material to its stop, with refusals on the way: no
 * secret value (passwords, keys, credentials, the admin token, a token issued through the API) appears in any
 * log line (as text or as a JSON line, audit lines included), error or the metrics.
 */
class SecretsStayOutOfLogsTest {
  @TempDir
  Path dir;

  /** Every secret of the run by name; a new kind of secret is one more line here. */
  private Map<String, String> secrets(Path security, Path pgdata) throws Exception {
    Map<String, String> secrets = new LinkedHashMap<>();
    secrets.put("PKCS12 password", read(security.resolve(SecurityMaterial.PASSWORD)));
    secrets.put("host credential secret", read(security.resolve(SecurityMaterial.HOST_SECRET)));
    secrets.put("CA private key", pemBody(read(security.resolve(SecurityMaterial.CA_KEY))));
    secrets.put("database password", read(pgdata.resolve("dvr-db.password")));
    secrets.put("admin token", read(security.resolve("admin.token")));
    secrets.put("token signing key", pemBody(read(security.resolve("jwt-signing.pem"))));
    try (Stream<Path> files = Files.list(security)) {
      for (Path credential : files.filter(f -> f.toString().endsWith(".credential")).toList()) {
        secrets.put(credential.getFileName().toString(), read(credential));
      }
    }
    return secrets;
  }

  private static String read(Path file) throws Exception {
    return Files.readString(file).trim();
  }

  /** A line of the key's base64 (a leaked key would show it, whatever the framing). */
  private static String pemBody(String pem) {
    return pem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
  }

  @Test
  @DisplayName("no password, key or credential of a lab run is in its logs, its errors or its metrics")
  void secretsNotLogged() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    Path security = dir.resolve("security");
    List<String> seen = new ArrayList<>();
    String[] issued = new String[1];
    try (LabFixture fx = LabFixture.start(dir.resolve("pg"), Map.of("security.dir", security.toString()))) {
      ApiClient api = new ApiClient(fx.vertx, fx.lab.apiPort(), GrpcTls.trusting(security.resolve(SecurityMaterial.CA_CERT)),
          ApiClient.adminTokenIn(security));
      // The lab's own agents register (with its certificates) before the seed is built on them.
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> api.call(AgentServiceGrpcClient.ListAgents,
          io.dvr.proto.v1.ListAgentsRequest.getDefaultInstance()).getAgentsCount() == 3);
      SeedTopology seed = SeedTopology.build(api);
      // A token issued through the API: a secret its audit line must not carry.
      issued[0] = api.call(TokenServiceGrpcClient.IssueToken, IssueTokenRequest.newBuilder().setProjectId("p1")
          .setRole("member").build()).getToken();
      // The agents report their wired ports and fetch their routers with their proofs: vm1 becomes ACTIVE.
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> api.call(PortServiceGrpcClient.GetPort,
          GetPortRequest.newBuilder().setId(seed.vm1.getId()).build()).getStatus() == Status.STATUS_ACTIVE);
      // Refusals: a rogue registration, and a bus request with a made-up proof.
      RpcFailure rogue = api.fail(AgentServiceGrpcClient.ReportAgentState, ReportAgentStateRequest.newBuilder()
          .setHost("compute1").setAgentType("L3 agent").setAgentMode("dvr").build());
      seen.add(rogue.getMessage());
      GetHostRoutersRequest request = GetHostRoutersRequest.newBuilder().setHost("compute1").build();
      Throwable forged = ApiClient.await(Bus.request(fx.vertx, EventAddresses.GET_HOST_ROUTERS, request,
          HostRouters.parser(), 5_000, new DeliveryOptions().addHeader("dvr-host-proof", "1.forged"))
          .transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause())));
      assertThat(forged).isNotNull();
      seen.add(forged.getMessage());
      seen.add(ApiClient.await(fx.vertx.createHttpClient(new HttpClientOptions().setSsl(true)
              .setTrustOptions(new PemTrustOptions().addCertPath(security.resolve(SecurityMaterial.CA_CERT).toString())))
          .request(HttpMethod.GET, fx.lab.apiPort(), "localhost", "/metrics")
          .compose(req -> req.send()).compose(resp -> resp.body()).map(Object::toString)));
    } finally {
      root.detachAppender(logs);
    }
    // Every line also as the JSON format writes it (its fields, key-value pairs and error included).
    LogLineEncoder json = new LogLineEncoder();
    json.setContext(root.getLoggerContext());
    json.setFormat("json");
    json.start();
    for (ILoggingEvent event : logs.list) {
      seen.add(event.getFormattedMessage());
      if (event.getThrowableProxy() != null) {
        seen.add(ThrowableProxyUtil.asString(event.getThrowableProxy()));
      }
      seen.add(new String(json.encode(event), StandardCharsets.UTF_8));
    }
    assertThat(logs.list).as("audit lines of the seed's calls and the token issued")
        .anyMatch(e -> e.getLoggerName().equals("dvr.audit") && e.getFormattedMessage().startsWith("CreatePort "))
        .anyMatch(e -> e.getLoggerName().equals("dvr.audit") && e.getFormattedMessage().startsWith("IssueToken p1 "));
    assertThat(String.join("\n", seen)).as("the run's logs").contains("created security material in " + security)
        .contains("refused ReportAgentState for host 'compute1'").contains("refused dvr.scheduler.host-routers");
    Map<String, String> secrets = secrets(security, dir.resolve("pg"));
    secrets.put("token issued through the API", issued[0]);
    assertThat(secrets).hasSizeGreaterThanOrEqualTo(10);
    secrets.forEach((name, value) -> {
      assertThat(value).as(name).hasSizeGreaterThanOrEqualTo(16);
      for (String line : seen) {
        assertThat(line).as("a log line, error or metric holds the %s", name).doesNotContain(value);
      }
    });
  }
}

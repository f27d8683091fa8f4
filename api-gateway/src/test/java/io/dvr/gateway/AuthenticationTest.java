package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dvr.common.grpc.RpcFailure;
import io.dvr.gateway.auth.SecurityFiles;
import io.dvr.gateway.auth.SigningKey;
import io.dvr.gateway.auth.TokenAuthority;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.GetQuotaRequest;
import io.dvr.proto.v1.IssueTokenRequest;
import io.dvr.proto.v1.IssuedToken;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.ListFloatingIpsRequest;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.ListRoutersRequest;
import io.dvr.proto.v1.ListSubnetsRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.QuotaServiceGrpcClient;
import io.dvr.proto.v1.ReportAgentStateRequest;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import io.dvr.proto.v1.TokenServiceGrpcClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

@DisplayName("Every dvr.v1 call needs a valid bearer token; health, reflection and agent reports stay open")
class AuthenticationTest {
  @TempDir static Path dataDir;
  static GatewayFixture gw;
  static Path securityDir;

  /** Every log event of the test's run, from before the gateway starts. */
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void start() {
    logs.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    gw = GatewayFixture.start(dataDir.resolve("pg"));
    securityDir = TestSecurity.dir(); // where the fixture's gateway keeps its key and admin token
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    gw.close();
  }

  /** One call of each public dvr.v1 service, as the given client makes it. */
  static List<Function<ApiClient, Object>> oneCallPerService() {
    return List.of(
        c -> c.call(NetworkServiceGrpcClient.ListNetworks, ListNetworksRequest.getDefaultInstance()),
        c -> c.call(SubnetServiceGrpcClient.ListSubnets, ListSubnetsRequest.getDefaultInstance()),
        c -> c.call(RouterServiceGrpcClient.ListRouters, ListRoutersRequest.getDefaultInstance()),
        c -> c.call(PortServiceGrpcClient.ListPorts, ListPortsRequest.getDefaultInstance()),
        c -> c.call(FloatingIpServiceGrpcClient.ListFloatingIps, ListFloatingIpsRequest.getDefaultInstance()),
        c -> c.call(AgentServiceGrpcClient.ListAgents, ListAgentsRequest.getDefaultInstance()),
        c -> c.call(QuotaServiceGrpcClient.GetQuota, GetQuotaRequest.getDefaultInstance()),
        c -> c.call(TokenServiceGrpcClient.IssueToken, IssueTokenRequest.newBuilder().setProjectId("p")
            .setRole("member").build()));
  }

  private static void refusedEverywhere(ApiClient client, String... messageParts) {
    for (Function<ApiClient, Object> call : oneCallPerService()) {
      try {
        Object answer = call.apply(client);
        throw new AssertionError("expected UNAUTHENTICATED, got " + answer);
      } catch (RpcFailure f) {
        assertThat(f.status()).as(f.getMessage()).isEqualTo(GrpcStatus.UNAUTHENTICATED);
        assertThat(f.detail()).contains(messageParts);
      }
    }
  }

  /** A token authority with the gateway's own key: it signs whatever claims a test crafts. */
  private static TokenAuthority sameKey() {
    return new TokenAuthority(gw.vertx, SigningKey.read(securityDir.resolve(SecurityFiles.KEY_FILE)), "dvr", "dvr-api",
        Clock.systemUTC());
  }

  private static JsonObject claims(long expiresAt) {
    return new JsonObject().put("sub", "someone").put("project_id", "p1").put("roles", new JsonArray().add("admin"))
        .put("iss", "dvr").put("aud", "dvr-api").put("iat", Instant.now().getEpochSecond()).put("exp", expiresAt);
  }

  @Test
  @DisplayName("the admin token works, and the gateway wrote it and its signing key owner-only (0600)")
  void adminTokenWorks() throws Exception {
    for (Function<ApiClient, Object> call : oneCallPerService()) {
      call.apply(gw);
    }
    for (String file : List.of(SecurityFiles.KEY_FILE, SecurityFiles.ADMIN_TOKEN_FILE)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(securityDir.resolve(file))))
          .as(file).isEqualTo("rw-------");
    }
  }

  @Test
  @DisplayName("no token, or not a bearer one: UNAUTHENTICATED on every service, saying how to send one")
  void noToken() {
    refusedEverywhere(gw.as(null), "needs a bearer token", "authorization: Bearer <token>");
    refusedEverywhere(gw.as("not-a-jwt"), "not a JWT");
  }

  @Test
  @DisplayName("an expired token: UNAUTHENTICATED, 'expired'")
  void expired() {
    String token = sameKey().sign(claims(Instant.now().minusSeconds(60).getEpochSecond()));
    refusedEverywhere(gw.as(token), "expired");
  }

  @Test
  @DisplayName("a token signed with another key, or with its signature altered: UNAUTHENTICATED, the signature does not verify")
  void forged() {
    TokenAuthority stranger = new TokenAuthority(gw.vertx, SigningKey.generate(), "dvr", "dvr-api", Clock.systemUTC());
    String foreign = stranger.sign(claims(Instant.now().plusSeconds(600).getEpochSecond()));
    refusedEverywhere(gw.as(foreign), "signature does not verify");
    // The claims of a real admin token with a member's signature: a signature over other claims.
    String member = issue("p2", "member");
    String admin = gw.adminToken;
    String spliced = admin.substring(0, admin.lastIndexOf('.')) + member.substring(member.lastIndexOf('.'));
    refusedEverywhere(gw.as(spliced), "signature does not verify");
    refusedEverywhere(gw.as(admin + "x"), "signature does not verify");
    int middle = admin.lastIndexOf('.') + 40;
    String flipped = admin.substring(0, middle) + (admin.charAt(middle) == 'A' ? 'B' : 'A') + admin.substring(middle + 1);
    refusedEverywhere(gw.as(flipped), "signature does not verify");
  }

  @Test
  @DisplayName("a token for another audience or from another issuer: UNAUTHENTICATED, naming the audience")
  void wrongAudience() {
    String other = sameKey().sign(claims(Instant.now().plusSeconds(600).getEpochSecond()).put("aud", "billing-api"));
    refusedEverywhere(gw.as(other), "audience", "dvr-api");
    String issuer = sameKey().sign(claims(Instant.now().plusSeconds(600).getEpochSecond()).put("iss", "elsewhere"));
    refusedEverywhere(gw.as(issuer), "issued by 'elsewhere'");
  }

  @Test
  @DisplayName("no refusal repeats the token it refused")
  void refusalsKeepTokensSecret() {
    String expired = sameKey().sign(claims(Instant.now().minusSeconds(60).getEpochSecond()));
    for (String token : List.of(expired, gw.adminToken + "x", gw.adminToken.replace('.', ','))) {
      RpcFailure f = gw.as(token).fail(NetworkServiceGrpcClient.ListNetworks, ListNetworksRequest.getDefaultInstance());
      assertThat(f.getMessage()).doesNotContain(token).doesNotContain(token.substring(token.lastIndexOf('.') + 1));
    }
  }

  @Test
  @DisplayName("the logs of start, accepted and refused calls hold no token and no key, only where they are")
  void logsHoldNoSecrets() throws Exception {
    String expired = sameKey().sign(claims(Instant.now().minusSeconds(60).getEpochSecond()));
    gw.as(expired).fail(NetworkServiceGrpcClient.ListNetworks, ListNetworksRequest.getDefaultInstance());
    gw.as(gw.adminToken + "x").fail(NetworkServiceGrpcClient.ListNetworks, ListNetworksRequest.getDefaultInstance());
    String member = issue("logged", "member");
    gw.as(member).call(NetworkServiceGrpcClient.ListNetworks, ListNetworksRequest.getDefaultInstance());
    SigningKey key = SigningKey.read(securityDir.resolve(SecurityFiles.KEY_FILE));
    List<String> secrets = List.of(gw.adminToken, expired, member, signature(gw.adminToken), signature(member),
        pemBody(key.privatePem()));
    List<String> lines = new ArrayList<>();
    synchronized (logs) {
      logs.list.forEach(e -> lines.add(e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
          : " " + e.getThrowableProxy().getMessage())));
    }
    assertThat(lines).anyMatch(l -> l.contains(securityDir.resolve(SecurityFiles.ADMIN_TOKEN_FILE).toString()));
    assertThat(lines).anyMatch(l -> l.contains("ListNetworks refused: the bearer token has expired"));
    for (String line : lines) {
      for (String secret : secrets) {
        assertThat(line).doesNotContain(secret);
      }
    }
  }

  private static String signature(String token) {
    return token.substring(token.lastIndexOf('.') + 1);
  }

  /** The base64 of a PEM block, on one line (as any of its 64-character lines would leak it). */
  private static String pemBody(String pem) {
    return pem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
  }

  @Test
  @DisplayName("gRPC health and agents' ReportAgentState answer without a token (the agent shows its host certificate instead)")
  void openCalls() {
    assertThat(HealthClient.check(gw.vertx, gw.port(), "")).isEqualTo(ServingStatus.SERVING);
    assertThat(gw.asAgent("compute9").call(AgentServiceGrpcClient.ReportAgentState, ReportAgentStateRequest.newBuilder()
        .setHost("compute9").setAgentType("L3 agent").setAgentMode("dvr").setBinary("dvr-agent").build()).getHost())
        .isEqualTo("compute9");
  }

  static String issue(String project, String role) {
    return gw.call(TokenServiceGrpcClient.IssueToken, IssueTokenRequest.newBuilder().setProjectId(project)
        .setRole(role).setTtlSeconds(3600).build()).getToken();
  }

  @Test
  @DisplayName("an admin issues tokens (project, role, lifetime); a member or reader may not")
  void issueTokens() {
    IssuedToken issued = gw.call(TokenServiceGrpcClient.IssueToken, IssueTokenRequest.newBuilder()
        .setProjectId("tenant-a").setRole("member").setSubject("alice").setTtlSeconds(8 * 3600).build());
    assertThat(issued.getProjectId()).isEqualTo("tenant-a");
    assertThat(issued.getRolesList()).containsExactly("member");
    assertThat(issued.getExpiresAt().getSeconds()).isBetween(Instant.now().getEpochSecond() + 8 * 3600 - 60,
        Instant.now().getEpochSecond() + 8 * 3600 + 60);
    Network made = gw.as(issued.getToken()).call(NetworkServiceGrpcClient.CreateNetwork,
        CreateNetworkRequest.newBuilder().setName("alice-net").build());
    assertThat(made.getProjectId()).isEqualTo("tenant-a");
    for (String role : List.of("member", "reader")) {
      RpcFailure f = gw.as(issue("tenant-a", role)).fail(TokenServiceGrpcClient.IssueToken,
          IssueTokenRequest.newBuilder().setProjectId("tenant-a").setRole("admin").build());
      assertThat(f.status()).isEqualTo(GrpcStatus.PERMISSION_DENIED);
      assertThat(f.detail()).contains("IssueToken is for admins only");
    }
    RpcFailure badRole = gw.fail(TokenServiceGrpcClient.IssueToken, IssueTokenRequest.newBuilder()
        .setProjectId("tenant-a").setRole("owner").build());
    assertThat(badRole.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(badRole.detail()).isEqualTo("role 'owner': must be admin, member or reader");
  }

  @Test
  @DisplayName("calls of several projects multiplexed on one connection each act as their own token")
  void callsKeepTheirOwnCaller() {
    List<String> projects = List.of("mux-a", "mux-b", "mux-c", "mux-d");
    List<String> tokens = projects.stream().map(p -> issue(p, "member")).toList();
    List<Future<Network>> made = new ArrayList<>();
    for (int round = 0; round < 10; round++) {
      for (int i = 0; i < projects.size(); i++) {
        made.add(gw.as(tokens.get(i)).async(NetworkServiceGrpcClient.CreateNetwork,
            CreateNetworkRequest.newBuilder().setName(projects.get(i) + "-" + round).build()));
      }
    }
    for (Future<Network> f : made) {
      Network n = ApiClient.await(f);
      assertThat(n.getName()).startsWith(n.getProjectId() + "-");
    }
  }
}

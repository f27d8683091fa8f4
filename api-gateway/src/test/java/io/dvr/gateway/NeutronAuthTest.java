package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.IssueTokenRequest;
import io.dvr.proto.v1.TokenServiceGrpcClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The REST face takes the token from X-Auth-Token and applies the gRPC face's roles and project scoping")
class NeutronAuthTest {
  @TempDir static Path dataDir;
  static GatewayFixture gw;
  static RestClient admin;
  static RestClient memberA;
  static RestClient readerA;
  static RestClient memberB;

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
    admin = RestClient.of(gw);
    memberA = admin.as(token("project-a", "member"));
    readerA = admin.as(token("project-a", "reader"));
    memberB = admin.as(token("project-b", "member"));
  }

  static String token(String project, String role) {
    return gw.call(TokenServiceGrpcClient.IssueToken, IssueTokenRequest.newBuilder().setProjectId(project)
        .setRole(role).setTtlSeconds(3600).build()).getToken();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static JsonObject network(String name) {
    return new JsonObject().put("network", new JsonObject().put("name", name));
  }

  @Test
  @DisplayName("without a token or with a forged one, every resource call is 401 NotAuthenticated; the version document stays open")
  void unauthenticated() {
    RestClient anonymous = admin.as(null);
    RestClient.Response none = anonymous.get("/v2.0/networks");
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.errorType()).isEqualTo("NotAuthenticated");
    assertThat(none.errorMessage()).contains("token");
    RestClient.Response forged = admin.as("not.a.token").post("/v2.0/networks", network("x"));
    assertThat(forged.status()).isEqualTo(401);
    assertThat(anonymous.get("/").status()).isEqualTo(200);
    assertThat(anonymous.get("/v2.0/extensions").status()).isEqualTo(200);
  }

  @Test
  @DisplayName("a member works in its project; another project's network is 404 to it and absent from its lists")
  void projectScoping() {
    RestClient.Response created = memberA.post("/v2.0/networks", network("a-net"));
    assertThat(created.status()).isEqualTo(201);
    JsonObject net = created.body().getJsonObject("network");
    assertThat(net.getString("project_id")).isEqualTo("project-a");
    assertThat(net.getString("tenant_id")).isEqualTo("project-a");
    String id = net.getString("id");

    RestClient.Response other = memberB.get("/v2.0/networks/" + id);
    assertThat(other.status()).isEqualTo(404);
    assertThat(other.errorType()).isEqualTo("NetworkNotFound");
    assertThat(memberB.put("/v2.0/networks/" + id, network("taken")).status()).isEqualTo(404);
    assertThat(memberB.delete("/v2.0/networks/" + id).status()).isEqualTo(404);
    JsonArray seenByB = memberB.get("/v2.0/networks").body().getJsonArray("networks");
    assertThat(seenByB.stream().map(n -> ((JsonObject) n).getString("id"))).doesNotContain(id);
    assertThat(admin.get("/v2.0/networks/" + id).status()).isEqualTo(200);
    assertThat(memberA.get("/v2.0/networks?project_id=project-a").body().getJsonArray("networks").size()).isEqualTo(1);
  }

  @Test
  @DisplayName("a reader reads but every write is 403 PolicyNotAuthorized; agents are an admin's")
  void roles() {
    assertThat(readerA.get("/v2.0/networks").status()).isEqualTo(200);
    RestClient.Response write = readerA.post("/v2.0/networks", network("r-net"));
    assertThat(write.status()).isEqualTo(403);
    assertThat(write.errorType()).isEqualTo("PolicyNotAuthorized");
    assertThat(write.errorMessage()).contains("reader");
    assertThat(memberA.get("/v2.0/agents").status()).isEqualTo(403);
    RestClient.Response agentUpdate = memberA.put("/v2.0/agents/3f1c2b7e-8d4a-4e6b-9c1d-2a3b4c5d6e7f",
        new JsonObject().put("agent", new JsonObject().put("admin_state_up", false)));
    assertThat(agentUpdate.status()).isEqualTo(403);
    assertThat(agentUpdate.errorMessage()).contains("UpdateAgent is for admins only");
    RestClient.Response external = memberA.post("/v2.0/networks",
        new JsonObject().put("network", new JsonObject().put("name", "ext").put("router:external", true)));
    assertThat(external.status()).isEqualTo(403);
    RestClient.Response elsewhere = memberA.post("/v2.0/networks",
        new JsonObject().put("network", new JsonObject().put("name", "x").put("project_id", "project-b")));
    assertThat(elsewhere.status()).isEqualTo(403);
  }

  @Test
  @DisplayName("with authentication off (insecure) the face is Neutron's noauth: no token needed, every caller the admin")
  void noauth(@TempDir Path insecureDir) {
    try (GatewayFixture open = GatewayFixture.start(insecureDir.resolve("pg"), Map.of("insecure", "true"))) {
      RestClient anyone = RestClient.of(open);
      assertThat(anyone.base()).startsWith("http://");
      RestClient.Response created = anyone.post("/v2.0/networks", network("open-net"));
      assertThat(created.status()).isEqualTo(201);
      assertThat(created.body().getJsonObject("network").getString("project_id")).isEqualTo("admin");
      assertThat(anyone.as("whatever").get("/v2.0/agents").status()).isEqualTo(200);
    }
  }
}

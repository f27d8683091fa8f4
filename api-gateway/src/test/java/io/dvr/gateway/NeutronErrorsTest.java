package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.QuotaServiceGrpcClient;
import io.dvr.proto.v1.UpdateQuotaRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Failures reach REST clients with Neutron's HTTP status and a NeutronError body holding the service's message")
class NeutronErrorsTest {
  @TempDir static Path dataDir;
  static GatewayFixture gw;
  static RestClient rest;

  @BeforeAll
  static void start() {
    // No scheduler-svc runs beside this gateway: the question where a router lives finds nobody to answer.
    gw = GatewayFixture.start(dataDir.resolve("pg"), Map.of("bus.request-timeout-ms", "1000"));
    rest = RestClient.of(gw);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static String create(String collection, JsonObject body) {
    RestClient.Response r = rest.post("/v2.0/" + collection, body);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.body().getJsonObject(collection.substring(0, collection.length() - 1)).getString("id");
  }

  static void assertError(RestClient.Response r, int status, String type, String messagePart) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    JsonObject error = r.body().getJsonObject("NeutronError");
    assertThat(error.fieldNames()).containsExactlyInAnyOrder("type", "message", "detail");
    assertThat(error.getString("type")).isEqualTo(type);
    assertThat(error.getString("message")).contains(messagePart);
    // The user's terms only: no Java classes, no internal addresses.
    assertThat(error.getString("message")).doesNotContain("Exception", "io.dvr", "127.0.0.1");
  }

  @Test
  @DisplayName("INVALID_ARGUMENT is 400 naming the field and the value")
  void badRequest() {
    String net = create("networks", new JsonObject().put("network", new JsonObject().put("name", "n400")));
    assertError(rest.post("/v2.0/subnets", new JsonObject().put("subnet", new JsonObject().put("network_id", net)
        .put("cidr", "10.9.0.0/33").put("ip_version", 4))), 400, "HTTPBadRequest", "cidr '10.9.0.0/33'");
    assertError(rest.post("/v2.0/networks", new JsonObject().put("network", new JsonObject().put("name", "x")
        .put("admin_state_up", "maybe"))), 400, "HTTPBadRequest", "admin_state_up");
    assertError(rest.sendRaw("POST", "/v2.0/networks", "{\"network\": {", Map.of("Content-Type", "application/json")),
        400, "HTTPBadRequest", "not a JSON object");
    assertError(rest.get("/v2.0/ports?sort_key=colour"), 400, "HTTPBadRequest", "colour");
  }

  @Test
  @DisplayName("NOT_FOUND is 404 with Neutron's <Resource>NotFound type; an unknown path is 404 too")
  void notFound() {
    assertError(rest.get("/v2.0/ports/6a1b8d8e-1d3c-4c4e-9f7a-0b1c2d3e4f50"), 404, "PortNotFound",
        "6a1b8d8e-1d3c-4c4e-9f7a-0b1c2d3e4f50");
    assertError(rest.delete("/v2.0/floatingips/6a1b8d8e-1d3c-4c4e-9f7a-0b1c2d3e4f50"), 404, "FloatingIPNotFound",
        "not found");
    assertError(rest.get("/v2.0/qos/policies"), 404, "HTTPNotFound", "/v2.0/qos/policies");
  }

  @Test
  @DisplayName("a resource in use and an exceeded quota are 409 (Conflict, OverQuota), as Neutron answers them")
  void conflicts() {
    String net = create("networks", new JsonObject().put("network", new JsonObject().put("name", "n409")));
    create("subnets", new JsonObject().put("subnet", new JsonObject().put("network_id", net).put("cidr", "10.40.9.0/24")
        .put("ip_version", 4)));
    create("ports", new JsonObject().put("port", new JsonObject().put("network_id", net)));
    assertError(rest.delete("/v2.0/networks/" + net), 409, "Conflict", "in use");

    gw.call(QuotaServiceGrpcClient.UpdateQuota, UpdateQuotaRequest.newBuilder().setProjectId("tight").setRouter(0)
        .build());
    assertError(rest.post("/v2.0/routers", new JsonObject().put("router", new JsonObject().put("name", "r")
        .put("project_id", "tight"))), 409, "OverQuota", "router");
  }

  @Test
  @DisplayName("a body over Neutron's size limit is 413; a method a collection does not offer is 405")
  void tooLargeAndNotAllowed() {
    String big = "{\"network\": {\"name\": \"" + "x".repeat(200_000) + "\"}}";
    RestClient.Response r = rest.sendRaw("POST", "/v2.0/networks", big, Map.of("Content-Type", "application/json"));
    assertError(r, 413, "HTTPRequestEntityTooLarge", "larger than");
    String net = create("networks", new JsonObject().put("network", new JsonObject().put("name", "n405")));
    String subnet = create("subnets", new JsonObject().put("subnet", new JsonObject().put("network_id", net)
        .put("cidr", "10.40.5.0/24").put("ip_version", 4)));
    assertError(rest.put("/v2.0/subnets/" + subnet, new JsonObject().put("subnet", new JsonObject().put("name", "s"))),
        405, "HTTPMethodNotAllowed", "PUT");
  }

  @Test
  @DisplayName("UNAVAILABLE is 503: a router's l3-agents cannot be told while scheduler-svc is unreachable")
  void unavailable() {
    String router = create("routers", new JsonObject().put("router", new JsonObject().put("name", "r503")));
    assertError(rest.get("/v2.0/routers/" + router + "/l3-agents"), 503, "ServiceUnavailable", "scheduler-svc");
  }

  @Test
  @DisplayName("If-Match on a stale revision_number is 412 and changes nothing")
  void preconditionFailed() {
    String net = create("networks", new JsonObject().put("network", new JsonObject().put("name", "n412")));
    RestClient.Response r = rest.send("PUT", "/v2.0/networks/" + net, new JsonObject().put("network",
        new JsonObject().put("name", "changed")), Map.of("If-Match", "revision_number=99"));
    assertError(r, 412, "RevisionNumberConstraintFailed", "Constrained to 99");
    assertThat(rest.get("/v2.0/networks/" + net).body().getJsonObject("network").getString("name")).isEqualTo("n412");
  }

  @Test
  @DisplayName("If-Match is checked on the row locked in the update's own transaction: an update committed while the PUT waits makes it 412")
  void preconditionInTheUpdatesTransaction() throws Exception {
    String net = create("networks", new JsonObject().put("network", new JsonObject().put("name", "raced")));
    long revision = rest.get("/v2.0/networks/" + net).body().getJsonObject("network").getLong("revision_number");
    Pool pool = gw.gateway.database().pool();
    SqlConnection other = ApiClient.await(pool.getConnection());
    try {
      // Another update holds the network's row, not yet committed.
      Transaction concurrent = ApiClient.await(other.begin());
      ApiClient.await(other.query("UPDATE networks SET name = 'other', revision = revision + 1 WHERE id = '" + net + "'")
          .execute());
      CompletableFuture<RestClient.Response> put = CompletableFuture.supplyAsync(() -> rest.send("PUT",
          "/v2.0/networks/" + net, new JsonObject().put("network", new JsonObject().put("name", "changed")),
          Map.of("If-Match", "revision_number=" + revision)));
      // The PUT waits for that row lock (or has answered already); then the other update commits.
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> put.isDone() || ApiClient.await(pool.query(
              "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%networks%'")
          .execute()).iterator().next().getLong(0) > 0);
      ApiClient.await(concurrent.commit());
      assertError(put.get(20, TimeUnit.SECONDS), 412, "RevisionNumberConstraintFailed", "Constrained to " + revision);
      assertThat(rest.get("/v2.0/networks/" + net).body().getJsonObject("network").getString("name")).isEqualTo("other");
    } finally {
      ApiClient.await(other.close());
    }
  }

  @Test
  @DisplayName("A router created with a refused external_gateway_info is not made at all: 400 and no router in the list")
  void refusedGatewayMakesNoRouter() {
    String internal = create("networks", new JsonObject().put("network", new JsonObject().put("name", "not-external")));
    RestClient.Response r = rest.post("/v2.0/routers", new JsonObject().put("router", new JsonObject()
        .put("name", "r-refused-gw").put("external_gateway_info", new JsonObject().put("network_id", internal))));
    assertError(r, 400, "HTTPBadRequest", "is not an external network");
    assertThat(rest.get("/v2.0/routers?name=r-refused-gw").body().getJsonArray("routers")).isEmpty();
  }
}

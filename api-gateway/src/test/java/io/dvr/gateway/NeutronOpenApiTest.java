package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The REST face's OpenAPI document says what the face answers, and the repository keeps it current")
class NeutronOpenApiTest {
  /** The copy in the repository, linked from the README. */
  static final Path IN_REPO = Path.of("..", "docs", "neutron-openapi.json");
  static final String ABSENT = "3f1c2b7e-8d4a-4e6b-9c1d-2a3b4c5d6e7f";

  @TempDir static Path dataDir;
  static GatewayFixture gw;
  static RestClient rest;
  static JsonObject document;

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
    rest = RestClient.of(gw);
    RestClient.Response r = rest.as(null).get("/v2.0/openapi.json");
    assertThat(r.status()).isEqualTo(200);
    document = r.body();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  @DisplayName("every resource of /v2.0 has its paths; each method it lists is answered, each one it omits is 405")
  void pathsMatchTheFace() {
    JsonObject paths = document.getJsonObject("paths");
    for (Object resource : rest.get("/v2.0").body().getJsonArray("resources")) {
      String plural = ((JsonObject) resource).getString("collection");
      JsonObject collection = paths.getJsonObject("/v2.0/" + plural);
      JsonObject item = paths.getJsonObject("/v2.0/" + plural + "/{id}");
      assertThat(collection).as(plural).isNotNull();
      assertThat(item).as(plural + "/{id}").isNotNull();
      assertThat(collection.containsKey("get")).isTrue();
      int created = rest.post("/v2.0/" + plural, new JsonObject()).status();
      assertThat(created == 405).as("POST /v2.0/%s answers %d", plural, created).isEqualTo(!collection.containsKey("post"));
      for (String method : new String[] {"get", "put", "delete"}) {
        int status = rest.send(method.toUpperCase(), "/v2.0/" + plural + "/" + ABSENT,
            method.equals("put") ? new JsonObject() : null, Map.of()).status();
        assertThat(status == 405).as("%s /v2.0/%s/{id} answers %d", method, plural, status)
            .isEqualTo(!item.containsKey(method));
      }
    }
  }

  @Test
  @DisplayName("docs/neutron-openapi.json is the document the face serves")
  void repositoryCopyIsCurrent() throws IOException {
    String served = document.encodePrettily() + "\n";
    Files.writeString(Path.of("target", "neutron-openapi.json"), served, StandardCharsets.UTF_8);
    assertThat(Files.exists(IN_REPO)).as("%s exists (copy target/neutron-openapi.json there)", IN_REPO).isTrue();
    assertThat(new JsonObject(Files.readString(IN_REPO, StandardCharsets.UTF_8)))
        .as("%s differs from the served document: copy target/neutron-openapi.json there", IN_REPO)
        .isEqualTo(document);
  }
}

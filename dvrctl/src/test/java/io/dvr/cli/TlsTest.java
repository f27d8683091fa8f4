package io.dvr.cli;

import static io.dvr.cli.Fixtures.NET1;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.config.Settings;
import io.dvr.common.security.GrpcTls;
import io.dvr.common.security.Identity;
import io.dvr.common.security.SecurityMaterial;
import io.dvr.proto.v1.NetworkServiceGrpcService;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.server.GrpcServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** dvrctl against a TLS server (as api-gateway serves) and a plaintext one (DVR_INSECURE=true). */
@Timeout(60)
class TlsTest {
  @TempDir
  static Path dir;
  private static Vertx vertx;
  private static ServerAddress tls;
  private static ServerAddress plain;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    SecurityMaterial.ensure(dir.resolve("ours"), List.of(Identity.service("api-gateway")), List.of("localhost", "127.0.0.1"));
    SecurityMaterial.ensure(dir.resolve("foreign"), List.of(), List.of());
    GrpcTls serverTls = GrpcTls.of(Settings.of(Map.of("security.dir", dir.resolve("ours").toString())),
        Identity.service("api-gateway"));
    tls = new ServerAddress("localhost", listen(serverTls.server(new HttpServerOptions())));
    plain = new ServerAddress("127.0.0.1", listen(new HttpServerOptions()));
  }

  private static int listen(HttpServerOptions options) throws Exception {
    GrpcServer grpc = GrpcServer.server(vertx);
    grpc.callHandler(NetworkServiceGrpcService.GetNetwork, call -> call.last().onSuccess(req ->
        call.response().end(Fixtures.net1().toBuilder().setId(req.getId()).build())));
    HttpServer server = vertx.createHttpServer(options).requestHandler(grpc).listen(0)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return server.actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String ca(String which) {
    return dir.resolve(which).resolve(SecurityMaterial.CA_CERT).toString();
  }

  @Test
  @DisplayName("with the server's CA, dvrctl talks TLS and gets the answer")
  void trustedServer() {
    CliRun run = CliRun.run(Rpc::open, "--server", tls.toString(), "--ca", ca("ours"), "--json", "net-show", NET1);
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains(NET1);
  }

  @Test
  @DisplayName("a server whose certificate another CA signed is refused: exit 3, naming the CA file")
  void foreignServer() {
    CliRun run = CliRun.run(Rpc::open, "--server", tls.toString(), "--ca", ca("foreign"), "net-show", NET1);
    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err()).startsWith("Error: no TLS connection to the server at " + tls).contains(ca("foreign"));
  }

  @Test
  @DisplayName("--insecure against a TLS server fails at once and says to drop --insecure")
  void plaintextAgainstTls() {
    CliRun run = CliRun.run(Rpc::open, "--server", tls.toString(), "--insecure", "--timeout", "5", "net-show", NET1);
    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err()).contains("expects TLS; drop --insecure");
  }

  @Test
  @DisplayName("TLS against a plaintext server fails and points at --insecure")
  void tlsAgainstPlaintext() {
    CliRun run = CliRun.run(Rpc::open, "--server", plain.toString(), "--ca", ca("ours"), "--timeout", "5", "net-show", NET1);
    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err()).contains("needs --insecure");
  }

  @Test
  @DisplayName("without a readable CA file dvrctl says where it looked and what to do: exit 2")
  void missingCa() {
    CliRun run = CliRun.run(Rpc::open, "--server", tls.toString(), "--ca", dir.resolve("none.pem").toString(), "net-show", NET1);
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("no CA certificate at " + dir.resolve("none.pem")).contains("--insecure");
  }
}

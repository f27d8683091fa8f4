package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.common.config.Settings;
import io.dvr.common.grpc.RpcFailure;
import io.dvr.common.security.GrpcTls;
import io.dvr.common.security.Identity;
import io.dvr.common.security.SecurityMaterial;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.ReportAgentStateRequest;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API port speaks TLS only, with certificates of its own CA. */
class TransportSecurityTest {
  @TempDir
  static Path dir;
  static GatewayFixture gw;

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dir.resolve("pg"));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  @DisplayName("a plaintext client on the TLS port gets a failure at once, not an answer and not a hang")
  void plaintextClient() {
    ApiClient plain = new ApiClient(gw.vertx, gw.port(), GrpcTls.off());
    long started = System.nanoTime();
    assertThatThrownBy(() -> plain.call(NetworkServiceGrpcClient.ListNetworks, ListNetworksRequest.getDefaultInstance()))
        .satisfies(e -> assertThat(e.toString()).containsIgnoringCase("closed"));
    assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(10_000);
  }

  @Test
  @DisplayName("the TLS client of a user (CA only, no certificate) is answered")
  void userClient() {
    assertThat(gw.call(NetworkServiceGrpcClient.ListNetworks, ListNetworksRequest.getDefaultInstance())).isNotNull();
  }

  @Test
  @DisplayName("a client with an agent certificate of a foreign CA, naming the host, cannot register it: an unverified certificate counts as none")
  void foreignClientCertificate() throws Exception {
    // A stranger's own CA and agent certificate for a host, trusting our CA (so only its certificate is wrong).
    Path foreign = dir.resolve("foreign-client");
    java.nio.file.Files.createDirectories(foreign);
    java.nio.file.Files.copy(TestSecurity.dir().resolve(SecurityMaterial.PASSWORD), foreign.resolve(SecurityMaterial.PASSWORD));
    SecurityMaterial.ensure(foreign, List.of(Identity.hostAgent("stranger1")), List.of("localhost", "127.0.0.1"));
    GrpcTls stranger = GrpcTls.of(Settings.of(Map.of("security.dir", foreign.toString(),
        "grpc.tls.truststore", TestSecurity.dir().resolve(SecurityMaterial.TRUSTSTORE).toString())),
        Identity.hostAgent("stranger1"));
    RpcFailure refused = new ApiClient(gw.vertx, gw.port(), stranger).fail(AgentServiceGrpcClient.ReportAgentState,
        ReportAgentStateRequest.newBuilder().setHost("stranger1").setAgentType("L3 agent").setAgentMode("dvr").build());
    assertThat(refused.status()).isEqualTo(GrpcStatus.UNAUTHENTICATED);
    assertThat(gw.call(AgentServiceGrpcClient.ListAgents, ListAgentsRequest.newBuilder().setHost("stranger1").build())
        .getAgentsCount()).isZero();
  }

  @Test
  @DisplayName("a client that trusts only our CA refuses a server whose certificate another CA signed")
  void foreignServer() {
    Path foreignDir = dir.resolve("foreign-server");
    SecurityMaterial.ensure(foreignDir, List.of(ApiGateway.IDENTITY), List.of("localhost", "127.0.0.1"));
    try (GatewayFixture other = GatewayFixture.start(dir.resolve("pg2"), Map.of("security.dir", foreignDir.toString()))) {
      assertThatThrownBy(() -> other.call(NetworkServiceGrpcClient.ListNetworks, ListNetworksRequest.getDefaultInstance()))
          .hasCauseInstanceOf(javax.net.ssl.SSLHandshakeException.class)
          .hasRootCauseMessage("unable to find valid certification path to requested target");
    }
  }

  @Test
  @DisplayName("a service without its certificate does not start, and says which file and setting are missing")
  void missingMaterial() {
    Path empty = dir.resolve("empty");
    assertThatThrownBy(() -> GrpcTls.of(Settings.of(Map.of("security.dir", empty.toString())), ApiGateway.IDENTITY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(empty.resolve("api-gateway.p12").toString())
        .hasMessageContaining("DVR_GRPC_TLS_KEYSTORE").hasMessageContaining("DVR_INSECURE=true");
  }
}

package io.dvr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.dvr.proto.v1.IssueTokenRequest;
import io.dvr.proto.v1.IssuedToken;
import io.dvr.proto.v1.ListNetworksResponse;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.Quota;
import io.dvr.proto.v1.QuotaServiceGrpcClient;
import io.dvr.proto.v1.QuotaUsage;
import io.dvr.proto.v1.TokenServiceGrpcClient;
import io.dvr.proto.v1.UpdateQuotaRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("dvrctl finds its bearer token, issues tokens and shows and sets quotas")
class CredentialsAndTokenCommandsTest {
  @TempDir Path dir;
  private final FakeApi api = new FakeApi()
      .on(NetworkServiceGrpcClient.ListNetworks, r -> ListNetworksResponse.getDefaultInstance());

  @Test
  @DisplayName("--token, then --token-file, then DVRCTL_TOKEN, then admin.token of the security directory, else none")
  void tokenPrecedence() throws Exception {
    Path file = Files.writeString(dir.resolve("t"), "from-file\n");
    Path security = Files.createDirectories(dir.resolve("security"));
    Files.writeString(security.resolve("admin.token"), "from-admin-token\n");
    String saved = System.getProperty("dvr.security.dir");
    System.clearProperty("dvr.security.dir");
    try {
      Map<String, String> env = Map.of("DVRCTL_TOKEN", "from-env", "DVR_SECURITY_DIR", security.toString());
      assertThat(Credentials.token("from-option", file, env::get)).isEqualTo("from-option");
      assertThat(Credentials.token(null, file, env::get)).isEqualTo("from-file");
      assertThat(Credentials.token(null, null, env::get)).isEqualTo("from-env");
      assertThat(Credentials.token(null, null, Map.of("DVR_SECURITY_DIR", security.toString())::get))
          .isEqualTo("from-admin-token");
      assertThat(Credentials.token(null, null, Map.of("DVR_SECURITY_DIR", dir.resolve("none").toString())::get))
          .isNull();
    } finally {
      if (saved != null) {
        System.setProperty("dvr.security.dir", saved);
      }
    }
  }

  @Test
  @DisplayName("the token of --token reaches the API client")
  void tokenOption() {
    CliRun run = CliRun.run(api, "net-list", "--token", "abc.def.ghi");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(api.openedWithToken).isEqualTo("abc.def.ghi");
  }

  @Test
  @DisplayName("token issue sends project, role and lifetime and prints the token alone on its last line")
  void tokenIssue() {
    api.on(TokenServiceGrpcClient.IssueToken, r -> IssuedToken.newBuilder().setToken("h.p.s")
        .setProjectId(r.getProjectId()).setSubject(r.getProjectId()).addRoles(r.getRole())
        .setExpiresAt(Timestamp.newBuilder().setSeconds(1_800_000_000L)).build());
    CliRun run = CliRun.run(api, "token", "issue", "--project", "P", "--role", "member", "--ttl", "8h");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(api.requests(TokenServiceGrpcClient.IssueToken)).containsExactly(IssueTokenRequest.newBuilder()
        .setProjectId("P").setRole("member").setTtlSeconds(8 * 3600).build());
    String[] lines = run.out().strip().split("\n");
    assertThat(lines[lines.length - 1]).isEqualTo("h.p.s");
    assertThat(run.out()).contains("project P (role member");
  }

  @Test
  @DisplayName("a lifetime that is not a duration is a usage error")
  void badTtl() {
    CliRun run = CliRun.run(api, "token", "issue", "--project", "P", "--ttl", "8x");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--ttl").contains("'8x'");
    assertThat(api.calls).isEmpty();
  }

  @Test
  @DisplayName("quota-update sends only the limits given; quota-show prints limit and use per resource")
  void quotas() {
    Quota limits = Quota.newBuilder().setProjectId("P").setNetwork(100).setSubnet(100).setPort(1000).setRouter(-1)
        .setFloatingip(50).build();
    QuotaUsage usage = QuotaUsage.newBuilder().setLimits(limits).setInUse(Quota.newBuilder().setPort(3)).build();
    api.on(QuotaServiceGrpcClient.UpdateQuota, r -> usage).on(QuotaServiceGrpcClient.GetQuota, r -> usage);
    CliRun update = CliRun.run(api, "quota-update", "P", "--port", "1000", "--router", "-1");
    assertThat(update.exitCode()).as(update.err()).isZero();
    assertThat(api.requests(QuotaServiceGrpcClient.UpdateQuota)).containsExactly(UpdateQuotaRequest.newBuilder()
        .setProjectId("P").setPort(1000).setRouter(-1).build());
    CliRun show = CliRun.run(api, "quota-show", "--project", "P");
    assertThat(show.out()).contains("| port       | 1000  | 3      |").contains("| router     | -1    | 0      |");
  }
}

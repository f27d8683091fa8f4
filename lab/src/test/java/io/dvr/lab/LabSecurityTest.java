package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.cli.Dvrctl;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.TestSecurity;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab's first start makes its token material, and dvrctl mints and uses tokens against it. */
@DisplayName("The lab makes its signing key and admin token (0600) on first start; dvrctl issues member tokens that see one project")
class LabSecurityTest {
  @TempDir static Path dataDir;
  static LabFixture fx;
  static Path security;

  record Result(int code, String out, String err) {}

  @BeforeAll
  static void start() {
    fx = LabFixture.start(dataDir.resolve("pg"), Map.of());
    security = TestSecurity.dir(); // LabFixture's security.dir
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  static Result dvrctl(String... args) {
    List<String> full = new ArrayList<>(List.of("--server", "127.0.0.1:" + fx.lab.apiPort(),
        "--ca", security.resolve("ca.pem").toString()));
    full.addAll(List.of(args));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Dvrctl.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
        StandardCharsets.UTF_8), full.toArray(String[]::new));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("jwt-signing.pem and admin.token are in the security directory, owner-only")
  void material() throws Exception {
    assertThat(fx.lab.adminTokenFile()).contains(security.resolve("admin.token"));
    for (String file : List.of("jwt-signing.pem", "admin.token")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(security.resolve(file)))).as(file)
          .isEqualTo("rw-------");
    }
  }

  @Test
  @DisplayName("dvrctl token issue mints a member token; with it dvrctl sees its own project only and may not list agents")
  void tokenIssue() {
    String admin = "--token-file=" + security.resolve("admin.token");
    Result issued = dvrctl(admin, "token", "issue", "--project", "demo", "--role", "member", "--ttl", "1h");
    assertThat(issued.code()).as(issued.err()).isZero();
    String[] lines = issued.out().strip().split("\n");
    String member = "--token=" + lines[lines.length - 1];

    assertThat(dvrctl(admin, "net-create", "admins-net").code()).isZero();
    Result made = dvrctl(member, "net-create", "demo-net");
    assertThat(made.code()).as(made.err()).isZero();
    assertThat(made.out()).contains("| project_id ").contains("| demo ");
    Result listed = dvrctl(member, "net-list");
    assertThat(listed.out()).contains("demo-net").doesNotContain("admins-net");

    Result agents = dvrctl(member, "agent-list");
    assertThat(agents.code()).isEqualTo(1);
    assertThat(agents.err()).isEqualTo("Error (PERMISSION_DENIED): ListAgents is for admins only\n");
    Result none = dvrctl("--token=", "net-list");
    assertThat(none.code()).isEqualTo(1);
    assertThat(none.err()).startsWith("Error (UNAUTHENTICATED): ");
    Result quota = dvrctl(member, "quota-show");
    assertThat(quota.out()).contains("| network    | 100   | 1      |");
  }
}

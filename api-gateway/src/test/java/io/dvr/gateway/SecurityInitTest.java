package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.config.Settings;
import io.dvr.gateway.auth.Caller;
import io.dvr.gateway.auth.SigningKey;
import io.dvr.gateway.auth.TokenAuthority;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code api-gateway.jar init-security}: the material compose makes before a deployment's first start. */
class SecurityInitTest {
  @TempDir
  Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = SecurityInit.COMMAND;
    System.arraycopy(args, 0, all, 1, args.length);
    return SecurityInit.run(all, Settings.of(Map.of("security.dir", dir.toString())),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String read(String file) throws Exception {
    return Files.readString(dir.resolve(file)).trim();
  }

  @Test
  @DisplayName("one run makes the CA, every service's and each named host's key store and credential, the signing"
      + " key and an admin token that verifies as an admin; every file 0600, no secret printed")
  void makesEverything() throws Exception {
    assertThat(run("--host", "network", "--host", "compute1", "--alt-name", "dvr.example")).as(err.toString()).isZero();

    assertThat(dir.resolve("ca.pem")).exists();
    for (String file : List.of("ca.pem", "ca-key.pem", "truststore.p12", "keystore.password", "host-credentials.key",
        "api-gateway.p12", "scheduler-svc.p12", "mac-allocator-svc.p12", "arp-svc.p12", "relay-svc.p12", "host-network.p12",
        "host-network.credential", "host-compute1.p12", "host-compute1.credential", "jwt-signing.pem", "admin.token")) {
      assertThat(dir.resolve(file)).as(file).exists();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(file)))).as(file)
          .isEqualTo("rw-------");
    }
    X509Certificate host = certificate("host-network.p12");
    assertThat(host.getSubjectX500Principal().getName()).contains("CN=network").contains("OU=dvr host agent");
    assertThat(host.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList())
        .contains("network", "localhost", "127.0.0.1", "dvr.example");
    assertThat(certificate("api-gateway.p12").getSubjectAlternativeNames().stream()
        .map(n -> String.valueOf(n.get(1))).toList()).contains("api-gateway", "localhost", "127.0.0.1");

    Vertx vertx = Vertx.vertx();
    try {
      Caller admin = new TokenAuthority(vertx, SigningKey.read(dir.resolve("jwt-signing.pem")), "dvr", "dvr-api",
          Clock.systemUTC()).check(read("admin.token"));
      assertThat(admin.isAdmin()).isTrue();
      assertThat(admin.projectId()).isEqualTo(Caller.ADMIN_PROJECT);
    } finally {
      vertx.close().await();
    }
    String printed = out + err.toString();
    assertThat(printed).contains(dir.toString()).doesNotContain(read("keystore.password"))
        .doesNotContain(read("admin.token")).doesNotContain(read("host-network.credential"));
  }

  @Test
  @DisplayName("run again (every compose up), it keeps the CA, the key stores, the signing key and a good admin"
      + " token byte for byte, and adds a new host")
  void keepsWhatIsThere() throws Exception {
    assertThat(run("--host", "network")).isZero();
    Map<String, byte[]> before = contents();
    assertThat(run("--host", "network", "--host", "compute2")).as(err.toString()).isZero();
    Map<String, byte[]> after = contents();
    before.forEach((file, bytes) -> assertThat(after.get(file)).as(file).isEqualTo(bytes));
    assertThat(after).containsKeys("host-compute2.p12", "host-compute2.credential");
  }

  @Test
  @DisplayName("relay-svc's certificate is valid for the names agents reach the relays by (--relay), and no other"
      + " certificate is; a relay named later gets relay-svc's key store issued again, the rest kept")
  void relayNames() throws Exception {
    assertThat(run("--host", "network", "--relay", "relay1", "--relay", "relay2")).as(err.toString()).isZero();
    assertThat(names("relay-svc.p12")).contains("relay-svc", "relay1", "relay2", "localhost", "127.0.0.1");
    assertThat(certificate("relay-svc.p12").getSubjectX500Principal().getName()).contains("CN=relay-svc")
        .contains("OU=dvr service");
    for (String other : List.of("host-network.p12", "api-gateway.p12", "scheduler-svc.p12")) {
      assertThat(names(other)).as(other).doesNotContain("relay1", "relay2");
    }

    Map<String, byte[]> before = contents();
    assertThat(run("--host", "network", "--relay", "relay1", "--relay", "relay2")).as(err.toString()).isZero();
    assertThat(contents().get("relay-svc.p12")).isEqualTo(before.get("relay-svc.p12"));

    assertThat(run("--host", "network", "--relay", "relay1", "--relay", "relay3")).as(err.toString()).isZero();
    assertThat(names("relay-svc.p12")).contains("relay1", "relay3").doesNotContain("relay2");
    Map<String, byte[]> after = contents();
    before.forEach((file, bytes) -> {
      if (!file.equals("relay-svc.p12")) {
        assertThat(after.get(file)).as(file).isEqualTo(bytes);
      }
    });
    assertThat(out.toString()).contains("issuing relay-svc.p12 again");
  }

  @Test
  @DisplayName("a wrong argument or host name is a usage error (2) and makes nothing")
  void usage() throws Exception {
    assertThat(run("--host")).isEqualTo(2);
    assertThat(run("--hots", "network")).isEqualTo(2);
    assertThat(run("--host", "bad name!")).isEqualTo(2);
    assertThat(run("--host", "network", "--relay", "relay 1")).isEqualTo(2);
    assertThat(err.toString()).contains("usage: java -jar api-gateway.jar init-security").contains("bad name!")
        .contains("--relay 'relay 1' is not a host name or address");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.toList()).isEmpty();
    }
  }

  private X509Certificate certificate(String keystore) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(dir.resolve(keystore).toFile())) {
      store.load(in, read("keystore.password").toCharArray());
    }
    return (X509Certificate) store.getCertificate(store.aliases().nextElement());
  }

  private List<String> names(String keystore) throws Exception {
    return certificate(keystore).getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList();
  }

  private Map<String, byte[]> contents() throws Exception {
    Map<String, byte[]> all = new java.util.HashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        all.put(f.getFileName().toString(), Files.readAllBytes(f));
      }
    }
    return all;
  }
}

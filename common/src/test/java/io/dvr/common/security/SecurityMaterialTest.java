package io.dvr.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecurityMaterialTest {
  @TempDir
  Path dir;

  private static final List<Identity> LAB = List.of(Identity.service("api-gateway"), Identity.hostAgent("compute1"));

  private static String mode(Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  private static Map<String, byte[]> contents(Path dir) throws Exception {
    Map<String, byte[]> all = new HashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        all.put(f.getFileName().toString(), Files.readAllBytes(f));
      }
    }
    return all;
  }

  @Test
  @DisplayName("the first start creates the CA, key stores, truststore, password and host credentials, every file 0600 in a 0700 directory")
  void createdPrivate() throws Exception {
    Path security = dir.resolve("security");
    SecurityMaterial.Outcome outcome = SecurityMaterial.ensure(security, LAB, List.of("localhost", "127.0.0.1"));
    assertThat(outcome.created()).contains("ca.pem", "ca-key.pem", "truststore.p12", "keystore.password",
        "host-credentials.key", "api-gateway.p12", "host-compute1.p12", "host-compute1.credential");
    assertThat(mode(security)).isEqualTo("rwx------");
    try (Stream<Path> files = Files.list(security)) {
      for (Path f : files.toList()) {
        assertThat(mode(f)).as(f.toString()).isEqualTo("rw-------");
      }
    }
    assertThat(outcome.describe()).contains(security.toString()).doesNotContain(outcome.material().password());
  }

  @Test
  @DisplayName("a later start reuses everything as it is, byte for byte, and adds only a new identity")
  void reused() throws Exception {
    SecurityMaterial.ensure(dir, LAB, List.of());
    Map<String, byte[]> before = contents(dir);
    SecurityMaterial.Outcome again = SecurityMaterial.ensure(dir, LAB, List.of());
    assertThat(again.created()).isEmpty();
    assertThat(again.describe()).startsWith("reused the security material in " + dir);
    Map<String, byte[]> after = contents(dir);
    assertThat(after.keySet()).isEqualTo(before.keySet());
    before.forEach((name, bytes) -> assertThat(after.get(name)).as(name).isEqualTo(bytes));
    assertThat(SecurityMaterial.ensure(dir, List.of(Identity.hostAgent("compute9")), List.of()).created())
        .containsExactly("host-compute9.p12", "host-compute9.credential");
  }

  @Test
  @DisplayName("a host agent's certificate names the host in CN and SAN, is signed by the CA, and serves both TLS ends")
  void hostCertificate() throws Exception {
    SecurityMaterial material = SecurityMaterial.ensure(dir, LAB, List.of("127.0.0.1")).material();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(material.keystore(Identity.hostAgent("compute1")))) {
      store.load(in, material.password().toCharArray());
    }
    X509Certificate leaf = (X509Certificate) store.getCertificateChain("host-compute1")[0];
    X509Certificate ca = (X509Certificate) store.getCertificateChain("host-compute1")[1];
    assertThat(leaf.getSubjectX500Principal().getName()).contains("CN=compute1").contains("OU=dvr host agent");
    assertThat(leaf.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList())
        .contains("compute1", "127.0.0.1");
    assertThat(leaf.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    leaf.verify(ca.getPublicKey());
    assertThat(PeerIdentity.of(leaf).agentHost()).contains("compute1");
    assertThat(PeerIdentity.of(leaf).identity()).isEqualTo(Identity.hostAgent("compute1"));
  }

  @Test
  @DisplayName("minting a host for a real deployment uses the directory's CA and never replaces an existing key store")
  void mint() {
    SecurityMaterial material = SecurityMaterial.ensure(dir, LAB, List.of()).material();
    assertThat(material.mint(Identity.hostAgent("compute7"), List.of("172.31.0.17")))
        .containsExactly(dir.resolve("host-compute7.p12"), dir.resolve("host-compute7.credential"));
    assertThatThrownBy(() -> material.mint(Identity.hostAgent("compute7"), List.of()))
        .hasMessageContaining("exists already");
    assertThatThrownBy(() -> SecurityMaterial.at(dir.resolve("nothing")).mint(Identity.hostAgent("x"), List.of()))
        .hasMessageContaining("no CA in");
  }

  @Test
  @DisplayName("a host's bus proof holds for that host, that body and a minute; another host's key, a changed body or an old proof fail")
  void hostProofs() {
    SecurityMaterial material = SecurityMaterial.ensure(dir, LAB, List.of()).material();
    HostCredentials secret = material.hostCredentials();
    String compute1 = secret.keyOf("compute1");
    var now = java.time.Instant.parse("2026-12-05T00:00:00Z");
    byte[] body = {1, 2, 3};
    String proof = HostCredentials.prove("compute1", compute1, body, now);
    assertThat(secret.verify("compute1", proof, body, now.plusSeconds(30))).isTrue();
    assertThat(secret.verify("compute2", proof, body, now)).as("claimed for another host").isFalse();
    assertThat(secret.verify("compute2", HostCredentials.prove("compute2", compute1, body, now), body, now))
        .as("compute1's key, claiming compute2").isFalse();
    assertThat(secret.verify("compute1", proof, new byte[] {9}, now)).as("another body").isFalse();
    assertThat(secret.verify("compute1", proof, body, now.plusSeconds(120))).as("stale").isFalse();
    assertThat(secret.verify("compute1", null, body, now)).isFalse();
    assertThat(secret.verify("compute1", "garbage", body, now)).isFalse();
  }
}

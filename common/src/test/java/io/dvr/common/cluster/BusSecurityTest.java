package io.dvr.common.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.common.config.Settings;
import io.dvr.common.security.Identity;
import io.dvr.common.security.SecurityMaterial;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BusSecurityTest {
  @TempDir
  static Path dir;
  static TestCertificates pki;

  @BeforeAll
  static void certificates() {
    pki = TestCertificates.create(dir, "security-test-ca");
  }

  @Test
  @DisplayName("by default the bus runs TLS, requires a client certificate and trusts only the cluster CA, not everyone")
  void secureByDefault() {
    BusSecurity security = BusSecurity.from(Settings.of(pki.settings("member")));
    EventBusOptions options = security.eventBusOptions();
    assertThat(security.secure()).isTrue();
    assertThat(options.isSsl()).isTrue();
    assertThat(options.getClientAuth()).isEqualTo(ClientAuth.REQUIRED);
    assertThat(options.isTrustAll()).isFalse();
    assertThat(options.getKeyCertOptions()).isNotNull();
    assertThat(options.getTrustOptions()).isNotNull();
  }

  @Test
  @DisplayName("each missing setting is a start-up error naming it and its environment variable")
  void missingMaterialNamesTheSetting() {
    for (String key : new String[] {BusSecurity.KEYSTORE, BusSecurity.TRUSTSTORE, BusSecurity.PASSWORD}) {
      Map<String, String> s = new HashMap<>(pki.settings("member"));
      s.remove(key);
      assertThatThrownBy(() -> BusSecurity.from(Settings.of(s)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(key).hasMessageContaining(Settings.envName(key)).hasMessageContaining("insecure=true");
    }
  }

  @Test
  @DisplayName("a keystore that is not there, or a wrong password, is a start-up error naming the setting, never the password")
  void unreadableMaterialNamesTheSetting() {
    Map<String, String> absent = new HashMap<>(pki.settings("member"));
    absent.put(BusSecurity.KEYSTORE, dir.resolve("nope.p12").toString());
    assertThatThrownBy(() -> BusSecurity.from(Settings.of(absent)))
        .hasMessageContaining(BusSecurity.KEYSTORE).hasMessageContaining("nope.p12");
    Map<String, String> wrong = new HashMap<>(pki.settings("member"));
    wrong.put(BusSecurity.PASSWORD, "not-the-password");
    assertThatThrownBy(() -> BusSecurity.from(Settings.of(wrong)))
        .hasMessageContaining(BusSecurity.KEYSTORE).hasMessageNotContaining("not-the-password");
  }

  @Test
  @DisplayName("insecure=true gives a plaintext bus and needs no material")
  void insecureIsPlaintext() {
    BusSecurity security = BusSecurity.from(Settings.of(Map.of("insecure", "true")));
    assertThat(security.secure()).isFalse();
    assertThat(security.eventBusOptions().isSsl()).isFalse();
  }

  @Test
  @DisplayName("a record signed by a member of the cluster CA verifies; one of a foreign CA or with a changed payload does not")
  void recordSignatures() {
    BusIdentity member = BusSecurity.from(Settings.of(pki.settings("member"))).identity();
    PeerVerifier verifier = BusSecurity.from(Settings.of(pki.settings("member"))).verifier();
    byte[] payload = "node record".getBytes();
    assertThat(verifier.refusal(member.chain(), payload, member.sign(payload))).isNull();
    assertThat(verifier.refusal(member.chain(), "other record".getBytes(), member.sign(payload)))
        .contains("signature does not match");
    TestCertificates foreign = TestCertificates.create(dir.resolve("foreign"), "foreign-ca");
    BusIdentity stranger = BusSecurity.from(Settings.of(foreign.settings("stranger"))).identity();
    assertThat(verifier.refusal(stranger.chain(), payload, stranger.sign(payload))).contains("not issued by the cluster CA");
  }
  @Test
  @DisplayName("a clustered service with only security.dir (as compose starts one) takes its own key store, the"
      + " truststore and the password from there for the bus; set ones win; insecure or not clustered, nothing")
  void busMaterialFromTheSecurityDirectory() {
    Path security = dir.resolve("service-security");
    SecurityMaterial material = SecurityMaterial.ensure(security, List.of(Identity.service("arp-svc"),
        Identity.hostAgent("compute1")), List.of()).material();
    Settings clustered = Settings.of(Map.of("cluster.enabled", "true", "security.dir", security.toString()));

    Settings arp = BusSecurity.withMaterialOf(clustered, Identity.service("arp-svc"));
    assertThat(arp.find(BusSecurity.KEYSTORE)).contains(security.resolve("arp-svc.p12").toString());
    assertThat(arp.find(BusSecurity.TRUSTSTORE)).contains(security.resolve("truststore.p12").toString());
    assertThat(arp.find(BusSecurity.PASSWORD)).contains(material.password());
    assertThat(BusSecurity.from(arp).secure()).isTrue();
    Settings agent = BusSecurity.withMaterialOf(clustered, Identity.hostAgent("compute1"));
    assertThat(agent.find(BusSecurity.KEYSTORE)).contains(security.resolve("host-compute1.p12").toString());
    assertThat(BusSecurity.from(agent).secure()).isTrue();

    Settings given = clustered.with(BusSecurity.KEYSTORE, "/elsewhere/member.p12");
    assertThat(BusSecurity.withMaterialOf(given, Identity.service("arp-svc"))).isSameAs(given);
    Settings noStore = BusSecurity.withMaterialOf(clustered, Identity.service("scheduler-svc"));
    assertThat(noStore.find(BusSecurity.KEYSTORE)).isEmpty();
    assertThatThrownBy(() -> BusSecurity.from(noStore)).hasMessageContaining(BusSecurity.KEYSTORE);
    Settings insecure = clustered.with("insecure", "true");
    assertThat(BusSecurity.withMaterialOf(insecure, Identity.service("arp-svc"))).isSameAs(insecure);
    Settings local = Settings.of(Map.of("security.dir", security.toString()));
    assertThat(BusSecurity.withMaterialOf(local, Identity.service("arp-svc"))).isSameAs(local);
  }
}

package io.dvr.agent.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.agent.model.IpPrefix;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NamesTest {
  private static final String ROUTER = "e8f12f7a-6938-4e65-88c4-97e4cb211b27";

  @Test
  @DisplayName("device names are cut to 14 characters, namespace names never")
  void truncation() {
    assertThat(Names.qrDevice("517bdba3-b117-43ce-851b-bb1d039879dc")).isEqualTo("qr-517bdba3-b1");
    assertThat(Names.sgDevice("4f80ec3d-f2b6-4d2e")).isEqualTo("sg-4f80ec3d-f2");
    assertThat(Names.qgDevice("32878e35-a2d4-4c1b")).isEqualTo("qg-32878e35-a2");
    assertThat(Names.fgDevice("9eeb3fb1-25c4-4e6f")).isEqualTo("fg-9eeb3fb1-25");
    assertThat(Names.rfpDevice(ROUTER)).isEqualTo("rfp-e8f12f7a-6");
    assertThat(Names.fprDevice(ROUTER)).isEqualTo("fpr-e8f12f7a-6");
    assertThat(Names.qrDevice("short")).isEqualTo("qr-short");
    assertThat(Names.qrouterNamespace(ROUTER)).isEqualTo("qrouter-" + ROUTER);
    assertThat(Names.snatNamespace(ROUTER)).isEqualTo("snat-" + ROUTER);
    assertThat(Names.fipNamespace("557e9f0c-9c66-46da-b289-218d49c218d2"))
        .isEqualTo("fip-557e9f0c-9c66-46da-b289-218d49c218d2");
  }

  @Test
  @DisplayName("names parse back to their prefix; foreign names have none")
  void parsing() {
    assertThat(Names.devicePrefix("qr-517bdba3-b1")).contains("qr-");
    assertThat(Names.devicePrefix("rfp-e8f12f7a-6")).contains("rfp-");
    assertThat(Names.devicePrefix("fpr-e8f12f7a-6")).contains("fpr-");
    assertThat(Names.devicePrefix("eth0")).isEmpty();
    assertThat(Names.devicePrefix("lo")).isEmpty();
    assertThat(Names.devicePrefix("qr-")).isEmpty();
    assertThat(Names.isOurDevice("tap12345678-9a")).isFalse();
    assertThat(Names.namespacePrefix("qrouter-" + ROUTER)).contains("qrouter-");
    assertThat(Names.namespacePrefix("snat-" + ROUTER)).contains("snat-");
    assertThat(Names.namespacePrefix("fip-x")).contains("fip-");
    assertThat(Names.isOurNamespace("ns-other")).isFalse();
    assertThat(Names.isOurNamespace("qdhcp-abc")).isFalse();
    assertThat(Names.idOfNamespace("qrouter-" + ROUTER)).contains(ROUTER);
    assertThat(Names.isOurChain("neutron-l3-agent-float-snat")).isTrue();
    assertThat(Names.isOurChain("DOCKER")).isFalse();
  }

  @Test
  @DisplayName("the subnet rule index is the interface IPv4 address as an unsigned 32-bit number")
  void subnetIndex() {
    assertThat(Names.subnetIndex("81.1.180.1")).isEqualTo(1359066113L);
    assertThat(Names.subnetIndex("91.1.180.1")).isEqualTo(1526838273L);
    assertThat(Names.subnetIndex("192.168.1.1")).isEqualTo(3232235777L);
    assertThatThrownBy(() -> Names.subnetIndex("81.1.180")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("link-local pairs are /31s of 169.254.30.0/23, rfp even and fpr odd, 256 of them")
  void linkLocalPairs() {
    assertThat(Names.linkLocalPair(0).rfp()).isEqualTo(IpPrefix.parse("169.254.30.0/31"));
    assertThat(Names.linkLocalPair(0).fpr()).isEqualTo(IpPrefix.parse("169.254.30.1/31"));
    assertThat(Names.linkLocalPair(142).rfp().ip()).isEqualTo("169.254.31.28");
    assertThat(Names.linkLocalPair(142).fpr().ip()).isEqualTo("169.254.31.29");
    assertThat(Names.linkLocalPair(247).rfp().ip()).isEqualTo("169.254.31.238");
    assertThat(Names.linkLocalPair(255).fpr().ip()).isEqualTo("169.254.31.255");
    for (int i = 0; i < Names.LINK_LOCAL_PAIRS; i++) {
      Names.LinkLocalPair p = Names.linkLocalPair(i);
      assertThat(p.rfp().address() % 2).isZero();
      assertThat(p.fpr().address()).isEqualTo(p.rfp().address() + 1);
      assertThat(p.rfp().network()).isEqualTo(p.fpr().network());
      assertThat(Names.LINK_LOCAL_POOL.contains(p.fpr().address())).isTrue();
    }
    assertThatThrownBy(() -> Names.linkLocalPair(256)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("FIP rules use table 16 and priorities 32768..36767; metadata goes to 9697")
  void numbers() {
    assertThat(Names.FIP_TABLE).isEqualTo(16);
    assertThat(Names.FIP_PRIORITY_FIRST).isEqualTo(32768);
    assertThat(Names.FIP_PRIORITY_LAST).isEqualTo(36767);
    assertThat(Nat.metadataRedirect())
        .isEqualTo("-d 169.254.169.254/32 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697");
    assertThat(Names.OUR_CHAINS).containsExactly("neutron-l3-agent-OUTPUT", "neutron-l3-agent-POSTROUTING",
        "neutron-l3-agent-PREROUTING", "neutron-l3-agent-float-snat", "neutron-l3-agent-snat",
        "neutron-postrouting-bottom");
  }
}

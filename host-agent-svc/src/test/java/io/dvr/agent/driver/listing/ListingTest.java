package io.dvr.agent.driver.listing;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.model.Flow;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ListingTest {
  @Test
  @DisplayName("the IPv6 link-local address is the MAC's EUI-64, as the seed's listings show")
  void linkLocal() {
    assertThat(IpAddrListing.linkLocal("fa:16:3e:63:3b:4c")).isEqualTo("fe80::f816:3eff:fe63:3b4c");
    assertThat(IpAddrListing.linkLocal("9a:d0:23:ba:d2:02")).isEqualTo("fe80::98d0:23ff:feba:d202");
    assertThat(IpAddrListing.linkLocal("02:00:00:00:00:01")).isEqualTo("fe80::ff:fe00:1");
  }

  @Test
  @DisplayName("dump-flows leaves out the default priority and puts match before actions")
  void flowLine() {
    assertThat(OfctlListing.line(new Flow(22, Flow.DEFAULT_PRIORITY, "dl_vlan=2", "drop", 0)))
        .isEqualTo(" cookie=0x0, table=22, dl_vlan=2 actions=drop");
    assertThat(OfctlListing.line(new Flow(22, 0, "", "drop", 0x10)))
        .isEqualTo(" cookie=0x10, table=22, priority=0 actions=drop");
    assertThat(OfctlListing.line(new Flow(5, Flow.DEFAULT_PRIORITY, "", "drop", 0)))
        .isEqualTo(" cookie=0x0, table=5, actions=drop");
  }
}

package io.dvr.common.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.common.grpc.ApiError;
import io.vertx.grpc.common.GrpcStatus;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetValuesTest {

  @Test
  @DisplayName("IPv4 text round-trips and the seed's 81.1.180.1 is the unsigned value 1359066113")
  void ipv4Value() {
    assertThat(Ipv4.tryParse("81.1.180.1").value()).isEqualTo(1359066113L);
    assertThat(Ipv4.tryParse("255.255.255.255")).hasToString("255.255.255.255");
    assertThat(Ipv4.tryParse("81.1.180.01")).as("leading zero").isNull();
    assertThat(Ipv4.tryParse("81.1.180")).isNull();
    assertThat(Ipv4.tryParse("81.1.180.256")).isNull();
    assertThat(Ipv4.tryParse("a.b.c.d")).isNull();
    assertThat(Ipv4.tryParse("0.0.0.0").value()).isZero();
    for (String bad : List.of("", ".", "1.2.3.4.", ".1.2.3.4", "1..2.3", "1.2.3.4 ", " 1.2.3.4", "1234.1.1.1",
        "1.2.3.0004", "+1.2.3.4", "1.2.3.-4", "1.2.3.4/32", "\u0661.2.3.4", "1.2.3.\u0664")) {
      assertThat(Ipv4.tryParse(bad)).as("'%s'", bad).isNull(); // Arabic-Indic digits are digits, not ASCII ones
    }
  }

  @Test
  @DisplayName("a CIDR with host bits set is refused and the message names the network it meant")
  void cidrHostBits() {
    assertThatThrownBy(() -> Ipv4Cidr.parse("cidr", "81.1.180.1/24"))
        .isInstanceOf(ApiError.class).hasMessageContaining("cidr '81.1.180.1/24'").hasMessageContaining("81.1.180.0/24");
    assertThatThrownBy(() -> Ipv4Cidr.parse("cidr", "81.1.180.0"))
        .hasMessageContaining("prefix length");
    assertThat(((ApiError) org.assertj.core.api.Assertions.catchThrowable(() -> Ipv4Cidr.parse("cidr", "fd00::/64")))
        .status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThatThrownBy(() -> Ipv4Cidr.parse("cidr", "10.0.0.0/\u0662\u0664")).isInstanceOf(ApiError.class)
        .hasMessageContaining("not a valid IPv4 CIDR"); // Arabic-Indic 24
  }

  @Test
  @DisplayName("CIDR containment, overlap and host range")
  void cidrArithmetic() {
    Ipv4Cidr c = Ipv4Cidr.parse("cidr", "81.1.180.0/24");
    assertThat(c.contains(Ipv4.tryParse("81.1.180.255"))).isTrue();
    assertThat(c.contains(Ipv4.tryParse("81.1.181.0"))).isFalse();
    assertThat(c.firstHost()).hasToString("81.1.180.1");
    assertThat(c.lastHost()).hasToString("81.1.180.254");
    assertThat(c.overlaps(Ipv4Cidr.parse("cidr", "81.1.0.0/16"))).isTrue();
    assertThat(c.overlaps(Ipv4Cidr.parse("cidr", "81.1.181.0/24"))).isFalse();
    assertThat(Ipv4Cidr.parse("cidr", "0.0.0.0/0").contains(Ipv4.tryParse("1.2.3.4"))).isTrue();
  }

  @Test
  @DisplayName("MACs are normalised to lower case; multicast and zero MACs are refused; random ones keep the base")
  void macs() {
    assertThat(MacAddress.parse("mac_address", "FA:16:3E:63:3B:4C").text()).isEqualTo("fa:16:3e:63:3b:4c");
    assertThatThrownBy(() -> MacAddress.parse("mac_address", "ff:ff:ff:ff:ff:ff")).hasMessageContaining("multicast");
    assertThatThrownBy(() -> MacAddress.parse("mac_address", "00:00:00:00:00:00")).hasMessageContaining("all-zero");
    assertThatThrownBy(() -> MacAddress.parse("mac_address", "fa-16-3e-63-3b-4c"))
        .hasMessageContaining("mac_address 'fa-16-3e-63-3b-4c'");
    assertThat(MacAddress.random("fa:16:3f", new Random(1)).text()).matches("fa:16:3f(:[0-9a-f]{2}){3}");
  }
}

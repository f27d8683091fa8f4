package io.dvr.common.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HostPortTest {

  @Test
  @DisplayName("host:port, a name, an IPv4 and a bracketed IPv6 host")
  void parses() {
    assertThat(HostPort.parse("relay1:9097")).isEqualTo(new HostPort("relay1", 9097));
    assertThat(HostPort.parse("10.0.0.5:1")).isEqualTo(new HostPort("10.0.0.5", 1));
    HostPort v6 = HostPort.parse("[fd00::5]:9090");
    assertThat(v6.host()).isEqualTo("fd00::5");
    assertThat(v6.socketAddress().port()).isEqualTo(9090);
    assertThat(v6).hasToString("[fd00::5]:9090");
  }

  @Test
  @DisplayName("a malformed item is refused saying what is wrong with it")
  void refuses() {
    assertThatThrownBy(() -> HostPort.parse("relay1")).hasMessage("'relay1' is not HOST:PORT");
    assertThatThrownBy(() -> HostPort.parse(":9097")).hasMessage("':9097' is not HOST:PORT");
    assertThatThrownBy(() -> HostPort.parse("relay1:")).hasMessage("'relay1:' is not HOST:PORT");
    assertThatThrownBy(() -> HostPort.parse("relay1:x")).hasMessage("'relay1:x' has no numeric port");
    assertThatThrownBy(() -> HostPort.parse("relay1:70000")).hasMessage("port 70000 is out of range 1-65535");
    assertThatThrownBy(() -> HostPort.parse("fd00::5:9090")).hasMessageContaining("write an IPv6 host as [addr]");
  }

  @Test
  @DisplayName("a list names the setting and the bad item")
  void list() {
    assertThat(HostPort.parseList("agent.relays", "relay1:9097, relay2:9097"))
        .containsExactly(new HostPort("relay1", 9097), new HostPort("relay2", 9097));
    assertThatThrownBy(() -> HostPort.parseList("agent.relays (DVR_AGENT_RELAYS)", "relay1:9097,relay2"))
        .hasMessage("setting agent.relays (DVR_AGENT_RELAYS) has 'relay2': 'relay2' is not HOST:PORT;"
            + " expected host:port[,host:port...]");
  }
}

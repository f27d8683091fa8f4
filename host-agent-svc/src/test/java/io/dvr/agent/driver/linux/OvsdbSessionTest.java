package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OvsdbSessionTest {
  private static int end(String s) {
    return OvsdbSession.messageEnd(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("a message ends where its outer object closes, braces inside strings and escaped quotes aside")
  void framing() {
    assertThat(end("{\"id\":1,\"result\":[{\"rows\":[]}]}")).isEqualTo(31);
    String tricky = "{\"a\":\"}{\\\"]\",\"b\":[1,{\"c\":\"\\\\\"}]}";
    assertThat(end(tricky)).isEqualTo(tricky.length());
    assertThat(end(tricky + "{\"next\":1}")).isEqualTo(tricky.length());
  }

  @Test
  @DisplayName("a message not whole yet has no end, whitespace before it aside")
  void partial() {
    assertThat(end("")).isZero();
    assertThat(end("\n ")).isZero();
    assertThat(end("{\"id\":1,\"result\":[{\"rows\":[")).isZero();
    assertThat(end("{\"a\":\"}")).isZero();
    assertThat(end("\n{}")).isEqualTo(3);
  }

  @Test
  @DisplayName("only a transaction of tag sets goes over the session, each port's tag in order")
  void tagsOnly() {
    assertThat(OvsdbTags.of(List.of("--", "set", "Port", "tapa", "tag=5", "--", "set", "Port", "tapb", "tag=7")))
        .contains(Map.of("tapa", 5, "tapb", 7));
    assertThat(OvsdbTags.of(List.of("--", "set", "Port", "tapa", "tag=5", "--", "--may-exist", "add-port", "br-int",
        "qr-1"))).isEmpty();
    assertThat(OvsdbTags.of(List.of("--", "set", "Port", "tapa", "tag=x"))).isEmpty();
    assertThat(OvsdbTags.of(List.of("--", "set", "Interface", "tapa", "tag=5"))).isEmpty();
    assertThat(OvsdbTags.of(List.of())).isEmpty();
  }
}

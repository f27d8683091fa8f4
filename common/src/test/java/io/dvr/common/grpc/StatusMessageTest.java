package io.dvr.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StatusMessageTest {
  @Test
  @DisplayName("printable ASCII travels as it is; only '%' and bytes outside 0x20-0x7E are percent-encoded")
  void encodesOnlyWhatTheSpecRequires() {
    assertThat(StatusMessage.encode("id 'dvr-r1': not a valid UUID")).isEqualTo("id 'dvr-r1': not a valid UUID");
    assertThat(StatusMessage.encode("cidr '10.0.0.0/33' ~*+!")).isEqualTo("cidr '10.0.0.0/33' ~*+!");
    assertThat(StatusMessage.encode("50% é\n")).isEqualTo("50%25 %C3%A9%0A");
    assertThat(StatusMessage.encode("😀")).isEqualTo("%F0%9F%98%80");
  }

  @Test
  @DisplayName("decoding undoes encoding, keeps '+' a '+', and leaves a broken escape as it is")
  void decodes() {
    for (String text : new String[] {"a+b c", "50% é\n", "😀 '%41'", ""}) {
      assertThat(StatusMessage.decode(StatusMessage.encode(text))).isEqualTo(text);
    }
    assertThat(StatusMessage.decode("100%")).isEqualTo("100%");
    assertThat(StatusMessage.decode("%zz%4")).isEqualTo("%zz%4");
    assertThat(StatusMessage.decode("%c3%a9")).isEqualTo("é");
  }

  @Test
  @DisplayName("a message percent-encoded as a URL form (as vertx-grpc does) is respelled the spec's way")
  void respellsFormEncoding() {
    String text = "id 'dvr-r1: 50%/é+x*~': not a valid UUID";
    String formEncoded = URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20")
        .replace("*", "%2A").replace("~", "%7E");
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("grpc-message", formEncoded);
    StatusMessage.respell(headers);
    assertThat(headers.get("grpc-message")).isEqualTo("id 'dvr-r1: 50%25/%C3%A9+x*~': not a valid UUID");
    StatusMessage.respell(headers);
    assertThat(headers.get("grpc-message")).as("respelling twice changes nothing")
        .isEqualTo("id 'dvr-r1: 50%25/%C3%A9+x*~': not a valid UUID");
  }
}

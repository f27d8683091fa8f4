package io.dvr.common.grpc;

import io.vertx.core.MultiMap;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The text of {@code grpc-message} as the gRPC over HTTP/2 specification spells it: UTF-8 bytes,
 * of which only those outside 0x20-0x7E and '%' itself are percent-encoded, so that
 * {@code id 'dvr-r1': not a valid UUID} travels as it reads and any client shows it as it is.
 */
public final class StatusMessage {
  public static final String HEADER = "grpc-message";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private StatusMessage() {}

  public static String encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length);
    for (byte b : bytes) {
      int octet = b & 0xFF;
      if (octet < 0x20 || octet > 0x7E || octet == '%') {
        out.append('%').append(HEX[octet >> 4]).append(HEX[octet & 0xF]);
      } else {
        out.append((char) octet);
      }
    }
    return out.toString();
  }

  /**
   * Decodes as leniently as the specification asks: a '%' not followed by two hex digits stays
   * as it is, and bytes that are not UTF-8 become replacement characters. A '+' is a '+' (URL
   * form decoding, which makes it a space, is not this encoding).
   */
  public static String decode(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < raw.length() && hex(raw.charAt(i + 1)) >= 0 && hex(raw.charAt(i + 2)) >= 0) {
        bytes.write(hex(raw.charAt(i + 1)) << 4 | hex(raw.charAt(i + 2)));
        i += 2;
      } else {
        int end = Character.isHighSurrogate(c) && i + 1 < raw.length() ? i + 2 : i + 1;
        bytes.writeBytes(raw.substring(i, end).getBytes(StandardCharsets.UTF_8));
        i = end - 1;
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /**
   * Spells a {@code grpc-message} already in {@code headers} as the specification does. vertx-grpc
   * percent-encodes every byte but letters, digits and {@code .-_}; decoding and encoding again
   * gives the same text, and leaves a message already spelled this way unchanged.
   */
  /**
   * The status message of a finished client response: vertx-grpc's client reads it only from a
   * trailers-only answer, so when the stream carried messages first it is read from the trailers here.
   */
  public static String of(io.vertx.grpc.client.GrpcClientResponse<?, ?> response) {
    if (response.statusMessage() != null) {
      return response.statusMessage();
    }
    String raw = response.trailers() == null ? null : response.trailers().get(HEADER);
    return raw == null ? null : decode(raw);
  }

  static void respell(MultiMap headers) {
    String raw = headers.get(HEADER);
    if (raw != null) {
      headers.set(HEADER, encode(decode(raw)));
    }
  }

  private static int hex(char c) {
    return Character.digit(c, 16) >= 0 && c < 0x80 ? Character.digit(c, 16) : -1;
  }
}

package io.dvr.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcStatus;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class UnaryBodyTest {
  private static final long LIMIT = 100;

  private static Buffer header(int flag, long length) {
    return Buffer.buffer().appendByte((byte) flag).appendUnsignedInt(length);
  }

  private static Buffer frame(int flag, String payload) {
    return header(flag, payload.length()).appendString(payload);
  }

  private static void refused(ThrowingCallable call, GrpcStatus status, String message) {
    assertThatThrownBy(call).isInstanceOfSatisfying(RequestRefused.class, r -> {
      assertThat(r.status()).isEqualTo(status);
      assertThat(r.getMessage()).isEqualTo(message);
    });
  }

  @Test
  @DisplayName("one message, whatever the chunks it arrives in, is the message")
  void oneMessage() {
    Buffer frame = frame(0, "hello");
    UnaryBody body = new UnaryBody(LIMIT, null);
    for (int i = 0; i < frame.length(); i++) {
      body.append(frame.slice(i, i + 1));
    }
    UnaryBody.Message message = body.finish();
    assertThat(message.gzipped()).isFalse();
    assertThat(message.payload().toString()).isEqualTo("hello");
  }

  @Test
  @DisplayName("an empty message is a message (a request with every field at its default)")
  void emptyMessage() {
    UnaryBody body = new UnaryBody(LIMIT, null);
    body.append(header(0, 0));
    assertThat(body.finish().payload().length()).isZero();
  }

  @Test
  @DisplayName("no message, or a second one, is a cardinality violation")
  void cardinality() {
    refused(() -> new UnaryBody(LIMIT, null).finish(), GrpcStatus.UNIMPLEMENTED,
        "a unary call takes exactly one request message; this one has none");
    UnaryBody body = new UnaryBody(LIMIT, null);
    body.append(frame(0, "one"));
    refused(() -> body.append(Buffer.buffer(new byte[] {0})), GrpcStatus.UNIMPLEMENTED,
        "a unary call takes exactly one request message; this one has more than one");
  }

  @Test
  @DisplayName("a body that ends inside a header or a message says where")
  void truncated() {
    UnaryBody inHeader = new UnaryBody(LIMIT, null);
    inHeader.append(Buffer.buffer(new byte[] {0, 0}));
    refused(inHeader::finish, GrpcStatus.INVALID_ARGUMENT, "the request ends inside a message header (2 of 5 bytes)");
    UnaryBody inMessage = new UnaryBody(LIMIT, null);
    inMessage.append(header(0, 10).appendString("abc"));
    refused(inMessage::finish, GrpcStatus.INVALID_ARGUMENT,
        "the request ends inside a message: its header declares 10 bytes, 3 arrived");
  }

  @Test
  @DisplayName("a header over the limit is refused as soon as it arrives, naming the limit")
  void overLimit() {
    refused(() -> new UnaryBody(LIMIT, null).append(header(0, 0xFFFFFFFFL)), GrpcStatus.RESOURCE_EXHAUSTED,
        "the request message of 4294967295 bytes is over the limit of 100 bytes");
    new UnaryBody(LIMIT, null).append(header(0, LIMIT));
  }

  @Test
  @DisplayName("the compressed flag needs a grpc-encoding the server has; other flag values are refused")
  void compression() {
    refused(() -> new UnaryBody(LIMIT, null).append(frame(1, "x")), GrpcStatus.INVALID_ARGUMENT,
        "the message is marked compressed but the request has no grpc-encoding header");
    refused(() -> new UnaryBody(LIMIT, "identity").append(frame(1, "x")), GrpcStatus.INVALID_ARGUMENT,
        "the message is marked compressed but grpc-encoding is 'identity'");
    refused(() -> new UnaryBody(LIMIT, "snappy").append(frame(1, "x")), GrpcStatus.UNIMPLEMENTED,
        "grpc-encoding 'snappy' is not supported; supported: gzip");
    refused(() -> new UnaryBody(LIMIT, null).append(frame(0x80, "x")), GrpcStatus.INVALID_ARGUMENT,
        "a message's compressed flag is 0 or 1, not 128");
    UnaryBody snappyUncompressed = new UnaryBody(LIMIT, "snappy");
    snappyUncompressed.append(frame(0, "x"));
    assertThat(snappyUncompressed.finish().gzipped()).isFalse();
    UnaryBody gzip = new UnaryBody(LIMIT, "gzip");
    gzip.append(frame(1, "x"));
    assertThat(gzip.finish().gzipped()).isTrue();
  }
}

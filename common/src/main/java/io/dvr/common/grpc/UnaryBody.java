package io.dvr.common.grpc;

import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcStatus;

/**
 * The body of a unary call as its DATA frames arrive: it must hold exactly one length-prefixed
 * message (1 byte compressed flag, 4 bytes big-endian length, the bytes), no longer than the
 * limit, compressed only with the compression its {@code grpc-encoding} header names. Each check
 * runs as soon as the bytes allow, so a bad header is refused before its message is read, and at
 * most the limit (plus what one read adds) is ever held.
 */
final class UnaryBody {
  static final int HEADER_BYTES = 5;

  private final long limit;
  private final String encoding;
  private final Buffer received = Buffer.buffer();
  /** The first message's declared length, once its header is in. */
  private long declared = -1;

  /** {@code encoding}: the request's grpc-encoding header, null when it has none. */
  UnaryBody(long limit, String encoding) {
    this.limit = limit;
    this.encoding = encoding;
  }

  /** Takes the next bytes; throws {@link RequestRefused} as soon as they show the request is wrong. */
  void append(Buffer chunk) {
    received.appendBuffer(chunk);
    if (declared < 0 && received.length() >= HEADER_BYTES) {
      declared = checkHeader();
    }
    if (declared >= 0 && received.length() > HEADER_BYTES + declared) {
      throw RequestRefused.cardinality("more than one");
    }
  }

  /** The one message, once the request has ended; throws {@link RequestRefused} if it is not all there. */
  Message finish() {
    int length = received.length();
    if (length == 0) {
      throw RequestRefused.cardinality("none");
    }
    if (length < HEADER_BYTES) {
      throw new RequestRefused(GrpcStatus.INVALID_ARGUMENT, "the request ends inside a message header ("
          + length + " of " + HEADER_BYTES + " bytes)");
    }
    if (length < HEADER_BYTES + declared) {
      throw new RequestRefused(GrpcStatus.INVALID_ARGUMENT, "the request ends inside a message: its header declares "
          + declared + " bytes, " + (length - HEADER_BYTES) + " arrived");
    }
    return new Message(received.getUnsignedByte(0) == 1, received.slice(HEADER_BYTES, length));
  }

  private long checkHeader() {
    return checkHeader(received, limit, encoding);
  }

  /**
   * Checks the message header at the start of {@code frames} (at least {@link #HEADER_BYTES}
   * long) and returns the length it declares; throws {@link RequestRefused} when it is wrong.
   */
  static long checkHeader(Buffer frames, long limit, String encoding) {
    short flag = frames.getUnsignedByte(0);
    long length = frames.getUnsignedInt(1);
    if (flag > 1) {
      throw new RequestRefused(GrpcStatus.INVALID_ARGUMENT, "a message's compressed flag is 0 or 1, not " + flag);
    }
    if (length > limit) {
      throw new RequestRefused(GrpcStatus.RESOURCE_EXHAUSTED, "the request message of " + length
          + " bytes is over the limit of " + limit + " bytes");
    }
    if (flag == 1) {
      checkCompression(encoding);
    }
    return length;
  }

  private static void checkCompression(String encoding) {
    if (encoding == null) {
      throw new RequestRefused(GrpcStatus.INVALID_ARGUMENT,
          "the message is marked compressed but the request has no grpc-encoding header");
    }
    if (encoding.equals("identity")) {
      throw new RequestRefused(GrpcStatus.INVALID_ARGUMENT,
          "the message is marked compressed but grpc-encoding is 'identity'");
    }
    if (!encoding.equals("gzip")) {
      // The spec's answer to a compression the server lacks; grpc-accept-encoding goes with it.
      throw new RequestRefused(GrpcStatus.UNIMPLEMENTED, "grpc-encoding '" + encoding
          + "' is not supported; supported: " + RequestRefused.SUPPORTED_ENCODINGS);
    }
  }

  /** One message's bytes as sent, and whether they are gzip-compressed. */
  record Message(boolean gzipped, Buffer payload) {}
}

package io.dvr.common.grpc;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.core.internal.http.HttpServerRequestWrapper;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.WireFormat;

/**
 * Stands between the HTTP/2 stream of a client-streaming call (server reflection) and vertx-grpc,
 * which resets the stream without a status when a message does not decode and waits forever for
 * one that never completes. Each message is checked as soon as it is whole (header, compression,
 * that it reads as the request type) and handed on uncompressed; a wrong one, or a request that
 * ends inside a message, gets its status at once and nothing after it reaches the service.
 */
final class StreamRequestGuard extends HttpServerRequestWrapper {
  private final UnaryMethod messages;
  private final WireFormat format;
  private final long limit;
  private final String encoding;
  private Buffer pending = Buffer.buffer();
  private boolean refused;
  private Handler<Buffer> messageHandler;
  private Handler<Void> endHandler;

  StreamRequestGuard(HttpServerRequestInternal request, UnaryMethod messages, WireFormat format, long limit) {
    super(request);
    this.messages = messages;
    this.format = format;
    this.limit = limit;
    this.encoding = request.getHeader("grpc-encoding");
    request.handler(this::receive);
    request.endHandler(v -> finish());
  }

  @Override
  public HttpServerRequest handler(Handler<Buffer> handler) {
    messageHandler = handler;
    return this;
  }

  @Override
  public HttpServerRequest endHandler(Handler<Void> handler) {
    endHandler = handler;
    return this;
  }

  private void receive(Buffer chunk) {
    if (refused) {
      return; // what the client still sends is dropped
    }
    pending.appendBuffer(chunk);
    try {
      while (pending.length() >= UnaryBody.HEADER_BYTES) {
        long declared = UnaryBody.checkHeader(pending, limit, encoding);
        int end = UnaryBody.HEADER_BYTES + (int) declared;
        if (pending.length() < end) {
          return;
        }
        boolean gzipped = pending.getUnsignedByte(0) == 1;
        Buffer plain = messages.plain(new UnaryBody.Message(gzipped, pending.slice(UnaryBody.HEADER_BYTES, end)),
            format, limit);
        pending = pending.getBuffer(end, pending.length());
        if (messageHandler != null) {
          messageHandler.handle(Buffer.buffer(UnaryBody.HEADER_BYTES + plain.length())
              .appendByte((byte) 0).appendUnsignedInt(plain.length()).appendBuffer(plain));
        }
      }
    } catch (RequestRefused e) {
      refuse(e);
    }
  }

  private void finish() {
    if (refused) {
      return;
    }
    if (pending.length() > 0) {
      refuse(new RequestRefused(GrpcStatus.INVALID_ARGUMENT,
          "the request ends inside a message (" + pending.length() + " bytes of it arrived)"));
      return;
    }
    if (endHandler != null) {
      endHandler.handle(null);
    }
  }

  private void refuse(RequestRefused refusal) {
    refused = true;
    pending = Buffer.buffer();
    HttpServerResponse response = delegate.response();
    if (!response.headWritten()) {
      refusal.send(delegate);
    } else if (!response.ended()) {
      // Answers went out already: the status closes the stream in its trailers.
      response.putTrailer("grpc-status", String.valueOf(refusal.status().code))
          .putTrailer(StatusMessage.HEADER, StatusMessage.encode(refusal.getMessage()))
          .end();
    }
    if (!delegate.isEnded() && delegate.version() == HttpVersion.HTTP_2) {
      // Answered: ask the client to stop sending the rest, without error (RFC 9113, 8.1).
      response.reset(0);
    }
  }
}

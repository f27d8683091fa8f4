package io.dvr.common.grpc;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.core.internal.http.HttpServerRequestWrapper;
import io.vertx.grpc.common.WireFormat;

/**
 * Stands between the request stream of a unary call (gRPC over HTTP/2, or binary gRPC-Web) and vertx-grpc, which reads it as a stream:
 * it would hand each message to the service as it came (two messages, two calls), wait forever
 * for a message that never completes, and reset the stream without a status when one does not
 * decode. Here the whole body is read first (at most the size limit) and vertx-grpc gets one
 * well-formed, uncompressed message and the end, or nothing and the client a status at once.
 *
 * <p>vertx-grpc reads the request through {@link HttpServerRequestInternal}, hence the wrapper
 * Vert.x provides for that.
 */
final class UnaryRequestGuard extends HttpServerRequestWrapper {
  private final UnaryMethod method;
  private final WireFormat format;
  private final long limit;
  private UnaryBody body;
  private Handler<Buffer> messageHandler;
  private Handler<Void> endHandler;

  UnaryRequestGuard(HttpServerRequestInternal request, UnaryMethod method, WireFormat format, long limit) {
    super(request);
    this.method = method;
    this.format = format;
    this.limit = limit;
    this.body = new UnaryBody(limit, request.getHeader("grpc-encoding"));
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

  // vertx-grpc pauses when its own queue fills; what it gets from here is one message at the end.
  @Override
  public HttpServerRequest pause() {
    return this;
  }

  @Override
  public HttpServerRequest resume() {
    return this;
  }

  @Override
  public HttpServerRequest fetch(long amount) {
    return this;
  }

  private void receive(Buffer chunk) {
    if (body == null) {
      return; // refused already: what the client still sends is dropped
    }
    try {
      body.append(chunk);
    } catch (RequestRefused refused) {
      refuse(refused);
    }
  }

  private void finish() {
    if (body == null) {
      return;
    }
    Buffer plain;
    try {
      plain = method.plain(body.finish(), format, limit);
    } catch (RequestRefused refused) {
      refuse(refused);
      return;
    }
    body = null;
    Buffer frame = Buffer.buffer(UnaryBody.HEADER_BYTES + plain.length())
        .appendByte((byte) 0).appendUnsignedInt(plain.length()).appendBuffer(plain);
    if (messageHandler != null) {
      messageHandler.handle(frame);
    }
    if (endHandler != null) {
      endHandler.handle(null);
    }
  }

  private void refuse(RequestRefused refused) {
    body = null;
    refused.send(delegate);
    if (!delegate.isEnded() && delegate.version() == HttpVersion.HTTP_2) {
      // Answered: ask the client to stop sending the rest, without error (RFC 9113, 8.1).
      delegate.response().reset(0);
    }
  }
}

package io.dvr.gateway;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * gRPC by hand over HTTP/2 (prior knowledge, no upgrade): a test writes the length-prefixed
 * frames itself, byte for byte, as a careless or hostile client would, and reads the raw
 * {@code grpc-status} and {@code grpc-message} the server sends back.
 */
final class RawGrpc implements AutoCloseable {
  /** How long a server may take to answer a malformed request before the test says it never did. */
  static final long ANSWER_WITHIN_MS = 5_000;

  private final HttpClient http;
  private final int port;
  private final String token;

  /** Calls carry {@code authorization: Bearer <token>}, as any client of the API does. */
  RawGrpc(Vertx vertx, int port, String token) {
    this.token = token;
    // The client options of a user's gRPC client (HTTP/2 over TLS, trusting the tests' CA).
    this.http = vertx.createHttpClient(TestSecurity.user().client());
    this.port = port;
  }

  /** One frame: the compressed flag, the payload's length (4 bytes, big-endian), the payload. */
  static Buffer frame(int compressedFlag, byte[] payload) {
    return header(compressedFlag, payload.length).appendBytes(payload);
  }

  static Buffer frame(byte[] payload) {
    return frame(0, payload);
  }

  /** A frame header alone, declaring {@code length} bytes whatever follows it. */
  static Buffer header(int compressedFlag, long length) {
    return Buffer.buffer().appendByte((byte) compressedFlag).appendUnsignedInt(length);
  }

  /** What came back: the HTTP status, headers and trailers, the body, and the gRPC status. */
  record Answer(int httpStatus, MultiMap headers, MultiMap trailers, Buffer body) {
    String grpcStatus() {
      String inHeaders = headers.get("grpc-status");
      return inHeaders != null ? inHeaders : trailers.get("grpc-status");
    }

    /** The grpc-message as it was on the wire, still percent-encoded. */
    String rawMessage() {
      String inHeaders = headers.get("grpc-message");
      return inHeaders != null ? inHeaders : trailers.get("grpc-message");
    }
  }

  /** Sends the body and ends the request. */
  Answer call(String method, Map<String, String> headers, Buffer body) {
    return await(request(method, headers).compose(req -> {
      req.end(body);
      return answer(req);
    }));
  }

  Answer call(String method, Buffer body) {
    return call(method, Map.of(), body);
  }

  /** Writes the chunks one by one (separate DATA frames), then ends the request. */
  Answer callInChunks(String method, List<Buffer> chunks) {
    return await(request(method, Map.of()).compose(req -> {
      chunks.forEach(req::write);
      req.end();
      return answer(req);
    }));
  }

  /** Sends the body and leaves the request open, as a client still sending would. */
  Answer callLeftOpen(String method, Buffer body) {
    return await(request(method, Map.of()).compose(req -> {
      req.write(body);
      return answer(req);
    }));
  }

  private Future<HttpClientRequest> request(String method, Map<String, String> headers) {
    return http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI("/" + method)).map(req -> {
          // Chunked: Vert.x asks for it before a write() that is not the whole body (no HTTP/1 meaning here).
          req.setChunked(true).putHeader("content-type", "application/grpc").putHeader("te", "trailers");
          if (token != null) {
            req.putHeader("authorization", "Bearer " + token);
          }
          // A server may reset a stream it has answered (to stop the rest of a body): not a failure.
          req.exceptionHandler(err -> { });
          headers.forEach(req::putHeader);
          return req;
        });
  }

  private static Future<Answer> answer(HttpClientRequest req) {
    return req.response().compose(resp -> resp.body()
        .map(body -> new Answer(resp.statusCode(), resp.headers(), resp.trailers(), body)));
  }

  /** Waits for the answer, no longer than {@link #ANSWER_WITHIN_MS}. */
  private static Answer await(Future<Answer> answer) {
    try {
      return answer.toCompletionStage().toCompletableFuture().get(ANSWER_WITHIN_MS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + ANSWER_WITHIN_MS + " ms");
    } catch (ExecutionException e) {
      throw new AssertionError("no gRPC answer: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    http.close();
  }
}

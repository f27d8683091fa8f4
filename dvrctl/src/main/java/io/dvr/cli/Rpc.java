package io.dvr.cli;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Unary gRPC calls to the API server, made synchronous for the CLI. The generated clients lose
 * the server's {@code grpc-message}, so calls go through the request/response API, which keeps
 * it. Every call is bounded by the timeout, whatever the server or the network does.
 */
public final class Rpc implements Api {

  /** Slack for the main thread's wait beyond the call's own timer, which normally fires first. */
  private static final long GRACE_MILLIS = 2_000;

  private final Vertx vertx;
  private final GrpcClient client;
  private final ServerAddress server;
  private final SocketAddress address;
  private final long timeoutMillis;
  private final String token;

  private final Transport transport;

  private Rpc(ServerAddress server, Transport transport, int timeoutSeconds, String token) {
    this.server = server;
    this.transport = transport;
    this.token = token;
    this.address = SocketAddress.inetSocketAddress(server.port(), server.host());
    this.timeoutMillis = TimeUnit.SECONDS.toMillis(timeoutSeconds);
    // A CLI needs one thread and must not leave a file cache behind in the working directory.
    this.vertx = Vertx.vertx(new VertxOptions()
        .setEventLoopPoolSize(1)
        .setWorkerPoolSize(1)
        .setInternalBlockingPoolSize(1)
        .setFileSystemOptions(new FileSystemOptions()
            .setFileCachingEnabled(false)
            .setClassPathResolvingEnabled(false)));
    HttpClientOptions options;
    try {
      options = transport.options();
    } catch (CliError e) {
      vertx.close();
      throw e;
    }
    this.client = GrpcClient.client(vertx, options
        .setConnectTimeout((int) Math.min(timeoutMillis, Integer.MAX_VALUE)));
  }

  public static Rpc open(ServerAddress server, Transport transport, int timeoutSeconds) {
    return new Rpc(server, transport, timeoutSeconds, null);
  }

  /** Calls that carry {@code authorization: Bearer <token>} (none when the token is null). */
  public static Rpc open(ServerAddress server, Transport transport, int timeoutSeconds, String token) {
    return new Rpc(server, transport, timeoutSeconds, token);
  }

  @Override
  public <Req, Resp> Resp call(ServiceMethod<Resp, Req> method, Req request) {
    return call(method, request, timeoutMillis);
  }

  @Override
  public <Req, Resp> Resp call(ServiceMethod<Resp, Req> method, Req request, long timeoutMillis) {
    try {
      return send(method, request, timeoutMillis).toCompletionStage().toCompletableFuture()
          .get(timeoutMillis + GRACE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw translate(method, e.getCause());
    } catch (TimeoutException e) {
      throw timedOut();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliError.unreachable("interrupted while waiting for " + server);
    }
  }

  private <Req, Resp> Future<Resp> send(ServiceMethod<Resp, Req> method, Req request, long timeoutMillis) {
    Promise<Resp> result = Promise.promise();
    AtomicReference<GrpcClientRequest<Req, Resp>> inFlight = new AtomicReference<>();
    long timer = vertx.setTimer(timeoutMillis, id -> {
      if (result.tryFail(new TimeoutException())) {
        GrpcClientRequest<Req, Resp> req = inFlight.get();
        if (req != null) {
          req.cancel();
        }
      }
    });
    client.request(address, method)
        .compose(req -> {
          inFlight.set(req);
          if (token != null) {
            req.headers().set("authorization", "Bearer " + token);
          }
          // Tells the server the deadline too, so it can give up on its side.
          req.timeout(timeoutMillis, TimeUnit.MILLISECONDS);
          req.end(request);
          return req.response();
        })
        .compose(resp -> resp.last().recover(e -> Future.failedFuture(StatusFailure.of(resp, e))))
        .onComplete(ar -> {
          vertx.cancelTimer(timer);
          if (ar.succeeded()) {
            result.tryComplete(ar.result());
          } else {
            result.tryFail(ar.cause());
          }
        });
    return result.future();
  }

  private CliError translate(ServiceMethod<?, ?> method, Throwable cause) {
    if (cause instanceof StatusFailure failure) {
      String message = failure.message == null || failure.message.isBlank()
          ? method.fullMethodName() + " failed without a message"
          : failure.message;
      return CliError.server(failure.status.name(), message);
    }
    if (cause instanceof TimeoutException) {
      return timedOut();
    }
    String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    if (!transport.insecure() && isTls(cause)) {
      return CliError.unreachable("no TLS connection to the server at " + server + " (" + detail + "): a server started"
          + " with DVR_INSECURE=true needs --insecure; otherwise check that --ca (" + transport.ca() + ") is its CA");
    }
    if (transport.insecure() && detail.contains("closed")) {
      return CliError.unreachable("the server at " + server + " closed the plaintext connection (" + detail
          + "): it expects TLS; drop --insecure");
    }
    return CliError.unreachable("cannot reach the server at " + server + ": " + detail);
  }

  private static boolean isTls(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof javax.net.ssl.SSLException || t instanceof java.security.cert.CertificateException) {
        return true;
      }
    }
    return false;
  }

  private CliError timedOut() {
    return CliError.unreachable(
        "no answer from the server at " + server + " within " + timeoutMillis / 1000 + " s");
  }

  @Override
  public void close() {
    try {
      client.close().eventually(vertx::close)
          .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // Closing only releases threads of a process that is about to end; nothing to report.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A response that ended with a status other than OK, or with OK and no message. */
  private static final class StatusFailure extends RuntimeException {
    final GrpcStatus status;
    final String message;

    private StatusFailure(GrpcStatus status, String message, Throwable cause) {
      super(status + ": " + message, cause, false, false);
      this.status = status;
      this.message = message;
    }

    /** Only a response that carried a status is the server's answer; otherwise the stream broke. */
    static Throwable of(GrpcClientResponse<?, ?> resp, Throwable cause) {
      GrpcStatus status = resp.status();
      if (status == null) {
        return cause;
      }
      if (status == GrpcStatus.OK) {
        return new StatusFailure(GrpcStatus.INTERNAL, "the server answered OK without a reply", cause);
      }
      return new StatusFailure(status, message(resp), cause);
    }

    /**
     * grpc-message from the headers (a trailers-only answer) or the trailers, decoded the gRPC way:
     * not by Vert.x's statusMessage(), which decodes a URL form and so turns '+' into a space.
     */
    private static String message(GrpcClientResponse<?, ?> resp) {
      String raw = resp.headers().get("grpc-message");
      if (raw == null) {
        raw = resp.trailers().get("grpc-message");
      }
      return raw == null ? null : percentDecode(raw);
    }
  }

  /** gRPC's percent-encoding of grpc-message: %XX bytes of UTF-8, everything else literal. */
  static String percentDecode(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      if (raw.charAt(i) == '%' && i + 2 < raw.length()
          && isHex(raw.charAt(i + 1)) && isHex(raw.charAt(i + 2))) {
        bytes.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        int codePoint = raw.codePointAt(i);
        byte[] literal = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        bytes.write(literal, 0, literal.length);
        i += Character.charCount(codePoint) - 1;
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static boolean isHex(char c) {
    return Character.digit(c, 16) >= 0;
  }
}

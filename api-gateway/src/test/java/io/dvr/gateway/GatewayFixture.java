package io.dvr.gateway;

import io.dvr.common.VertxBootstrap;
import io.dvr.common.config.Settings;
import io.dvr.common.grpc.RpcFailure;
import io.dvr.common.grpc.Unary;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.ServiceMethod;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A real api-gateway for tests: embedded PostgreSQL on a data directory, gRPC on an ephemeral
 * port, and a gRPC client that talks to it over a socket.
 */
public final class GatewayFixture implements AutoCloseable {
  public final Vertx vertx;
  public final ApiGateway gateway;
  private final GrpcClient client;
  private final SocketAddress address;

  private GatewayFixture(Vertx vertx, ApiGateway gateway) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.client = GrpcClient.client(vertx);
    this.address = SocketAddress.inetSocketAddress(gateway.port(), "127.0.0.1");
  }

  public static GatewayFixture start(Path dataDir, Map<String, String> extra) {
    // The same Vert.x setup as a service process (metrics on, cluster off unless configured).
    return start(await(VertxBootstrap.start(Settings.of(extra))), dataDir, extra);
  }

  /** Starts on a given Vert.x, so that a test can listen on its event bus before the relay runs. */
  public static GatewayFixture start(Vertx vertx, Path dataDir, Map<String, String> extra) {
    Settings settings = Settings.of(Map.of("db.data-dir", dataDir.toString(), "api.port", "0",
        "api.host", "127.0.0.1", "outbox.poll-ms", "200")).with(extra);
    return new GatewayFixture(vertx, await(ApiGateway.start(vertx, settings)));
  }

  public static GatewayFixture start(Path dataDir) {
    return start(dataDir, Map.of());
  }

  public int port() {
    return gateway.port();
  }

  /** A call that must succeed. */
  public <Req, Resp> Resp call(ServiceMethod<Resp, Req> method, Req request) {
    return await(async(method, request));
  }

  public <Req, Resp> Future<Resp> async(ServiceMethod<Resp, Req> method, Req request) {
    return Unary.call(client, address, method, request, 30_000);
  }

  /** A call that must fail; returns the failure with the server's status and message. */
  public <Req, Resp> RpcFailure fail(ServiceMethod<Resp, Req> method, Req request) {
    try {
      Resp r = await(async(method, request));
      throw new AssertionError("expected " + method.methodName() + " to fail, got " + r);
    } catch (RpcFailure f) {
      return f;
    }
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      await(gateway.stop());
    } finally {
      await(vertx.close());
    }
  }
}

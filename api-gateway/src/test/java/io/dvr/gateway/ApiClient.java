package io.dvr.gateway;

import io.dvr.common.grpc.RpcFailure;
import io.dvr.common.grpc.Unary;
import io.dvr.common.security.GrpcTls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.ServiceMethod;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** A blocking test client of the dvr.v1 API over a real gRPC socket. */
public class ApiClient {
  private final Vertx vertx;
  private final int port;
  private final GrpcClient client;
  private final SocketAddress address;
  private final java.util.Map<String, ApiClient> agents = new java.util.HashMap<>();

  /** A user's client (TLS trusting the tests' CA, no certificate of its own). */
  public ApiClient(Vertx vertx, int port) {
    this(vertx, port, TestSecurity.user());
  }

  public ApiClient(Vertx vertx, int port, GrpcTls tls) {
    this.vertx = vertx;
    this.port = port;
    this.client = tls.newClient(vertx);
    this.address = SocketAddress.inetSocketAddress(port, "127.0.0.1");
  }

  /** The same server, called as the agent of {@code host} (with that host's agent certificate). */
  public synchronized ApiClient asAgent(String host) {
    return agents.computeIfAbsent(host, h -> new ApiClient(vertx, port, TestSecurity.agent(h)));
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
}

package io.dvr.gateway;

import io.dvr.common.grpc.RpcFailure;
import io.dvr.common.grpc.Unary;
import io.dvr.common.security.GrpcTls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.ServiceMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A blocking test client of the dvr.v1 API over a real gRPC socket. It sends its bearer token the
 * way any client does ({@code authorization: Bearer <token>}), e.g. the admin token the gateway
 * wrote to its security directory ({@link #tokenIn}); {@link #as} gives the same connection
 * another caller's token.
 */
public class ApiClient {
  private final Vertx vertx;
  private final int port;
  private final GrpcClient client;
  private final SocketAddress address;
  private final java.util.Map<String, ApiClient> agents = new java.util.HashMap<>();
  private final String token;

  /** A user's client without a token (TLS trusting the tests' CA): the API refuses it unless authentication is off. */
  public ApiClient(Vertx vertx, int port) {
    this(vertx, port, (String) null);
  }

  /** A user's client calling with a bearer token (TLS trusting the tests' CA, no certificate of its own). */
  public ApiClient(Vertx vertx, int port, String token) {
    this(vertx, port, TestSecurity.user().newClient(vertx), token);
  }

  /** A client with the given TLS (e.g. an agent's certificate) and no token. */
  public ApiClient(Vertx vertx, int port, GrpcTls tls) {
    this(vertx, port, tls.newClient(vertx), null);
  }

  /** A client with the given TLS calling with a bearer token (null: none). */
  public ApiClient(Vertx vertx, int port, GrpcTls tls, String token) {
    this(vertx, port, tls.newClient(vertx), token);
  }

  private ApiClient(Vertx vertx, int port, GrpcClient client, String token) {
    this.vertx = vertx;
    this.port = port;
    this.client = client;
    this.address = SocketAddress.inetSocketAddress(port, "127.0.0.1");
    this.token = token;
  }

  /** The same server and connection, calling with another token (null: none). */
  public ApiClient as(String otherToken) {
    return new ApiClient(vertx, port, client, otherToken);
  }

  /** The token in a file, as dvrctl reads ~/.dvr/security/admin.token. */
  public static String tokenIn(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("no token in " + file, e);
    }
  }

  /** The admin token a gateway or lab wrote into its security directory. */
  public static String adminTokenIn(Path securityDir) {
    return tokenIn(securityDir.resolve("admin.token"));
  }

  /** Where a fixture keeps the security material of the data directory {@code dataDir}: beside it. */
  public static Path securityDirBeside(Path dataDir) {
    return dataDir.resolveSibling(dataDir.getFileName() + "-security");
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
    return Unary.call(client, address, method, request, 30_000, token);
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

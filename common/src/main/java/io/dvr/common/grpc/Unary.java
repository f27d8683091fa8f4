package io.dvr.common.grpc;

import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.util.concurrent.TimeUnit;

/**
 * A unary gRPC call with a deadline that keeps the server's status message (the generated
 * clients drop it). Fails with {@link RpcFailure}.
 */
public final class Unary {
  private Unary() {}

  public static <Req, Resp> Future<Resp> call(GrpcClient client, SocketAddress server,
      ServiceMethod<Resp, Req> method, Req message, long timeoutMillis) {
    return call(client, server, method, message, timeoutMillis, null);
  }

  /** The same, with {@code authorization: Bearer <token>} when a token is given. */
  public static <Req, Resp> Future<Resp> call(GrpcClient client, SocketAddress server,
      ServiceMethod<Resp, Req> method, Req message, long timeoutMillis, String bearerToken) {
    Future<GrpcClientRequest<Req, Resp>> request = client.request(server, method);
    return request
        .compose(req -> {
          if (bearerToken != null) {
            req.headers().set(CallMetadata.AUTHORIZATION, "Bearer " + bearerToken);
          }
          req.timeout(timeoutMillis, TimeUnit.MILLISECONDS);
          return req.send(message);
        })
        .compose(resp -> resp.last().transform(ar -> {
          GrpcStatus status = resp.status();
          if (status != null && status != GrpcStatus.OK) {
            return Future.<Resp>failedFuture(new RpcFailure(status, statusMessage(resp)));
          }
          return ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.<Resp>failedFuture(ar.cause());
        }));
  }

  /**
   * The server's grpc-message, decoded as the gRPC spec encodes it. Not {@code statusMessage()}:
   * Vert.x decodes it as a URL form, where a '+' is a space, and only from a trailers-only answer.
   */
  private static String statusMessage(GrpcClientResponse<?, ?> resp) {
    String raw = resp.headers().get(StatusMessage.HEADER);
    if (raw == null) {
      raw = resp.trailers().get(StatusMessage.HEADER);
    }
    return raw == null ? "" : StatusMessage.decode(raw);
  }
}

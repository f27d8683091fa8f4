package io.dvr.common.security;

import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServer;
import java.util.function.Function;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rule of agent-only gRPC calls: only the agent of the host the request names may make them,
 * proven by its client certificate (a host agent's, for that host name). A user's bearer token is
 * never enough. A refusal is logged once, naming the claimed host and the certificate's subject.
 */
public final class AgentCalls {
  private static final Logger LOG = LoggerFactory.getLogger(AgentCalls.class);
  private final boolean secure;

  public AgentCalls(boolean secure) {
    this.secure = secure;
  }

  /** Empty when {@code connection}'s client may call {@code method} for {@code host}; else the refusal to answer. */
  public Optional<StatusException> refusal(HttpConnection connection, String method, String host) {
    if (!secure) {
      return Optional.empty();
    }
    host = printable(host);
    Optional<PeerIdentity> peer = PeerIdentity.of(connection);
    if (peer.isEmpty()) {
      LOG.warn("refused {} for host '{}': the caller presented no client certificate", method, host);
      return Optional.of(new StatusException(GrpcStatus.UNAUTHENTICATED, method
          + " is for host agents only: connect with the agent certificate of host '" + host + "'"));
    }
    Optional<String> agentOf = peer.get().agentHost();
    if (agentOf.isEmpty()) {
      LOG.warn("refused {} for host '{}': certificate '{}' is not a host agent's", method, host, peer.get().subject());
      return Optional.of(new StatusException(GrpcStatus.PERMISSION_DENIED, method
          + " is for host agents only; the caller's certificate is not a host agent's"));
    }
    if (!agentOf.get().equals(host)) {
      LOG.warn("refused {} for host '{}': certificate '{}' is the agent of host '{}'", method, host,
          peer.get().subject(), agentOf.get());
      return Optional.of(new StatusException(GrpcStatus.PERMISSION_DENIED, "the agent of host '" + agentOf.get()
          + "' may call " + method + " only for its own host, not for host '" + host + "'"));
    }
    return Optional.empty();
  }

  /**
   * Serves {@code method} on {@code server} for the agent of the host each request names only
   * ({@link #refusal}); {@code handler} answers the requests let in.
   */
  public <Req, Resp> void bind(GrpcServer server, ServiceMethod<Req, Resp> method, Function<Req, String> hostOf,
      Function<Req, Future<Resp>> handler) {
    server.callHandler(method, request -> request.handler(message -> {
      Optional<StatusException> refused = refusal(request.connection(), method.methodName(), hostOf.apply(message));
      if (refused.isPresent()) {
        request.response().fail(refused.get());
        return;
      }
      handler.apply(message).onComplete(request.response()::end, request.response()::fail);
    }));
  }

  /** The claimed host as the log and the answer show it: what a caller sends is cut and kept to a host name's letters. */
  private static String printable(String host) {
    String kept = host.replaceAll("[^A-Za-z0-9._-]", "?");
    return kept.length() > 64 ? kept.substring(0, 64) + "..." : kept;
  }
}

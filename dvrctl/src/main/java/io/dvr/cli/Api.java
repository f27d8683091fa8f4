package io.dvr.cli;

import io.vertx.grpc.common.ServiceMethod;

/**
 * The API server as the commands see it: one blocking unary call. The real implementation is
 * {@link Rpc}; formatting and resolution tests back it with an in-process fake.
 */
public interface Api extends AutoCloseable {

  /**
   * Calls {@code method} and returns its reply.
   *
   * @throws CliError with the server's status and message, or when the server cannot be reached
   *     or does not answer in time
   */
  <Req, Resp> Resp call(ServiceMethod<Resp, Req> method, Req request);

  /** As {@link #call(ServiceMethod, Object)}, bounded by {@code timeoutMillis} instead (a wait). */
  default <Req, Resp> Resp call(ServiceMethod<Resp, Req> method, Req request, long timeoutMillis) {
    return call(method, request);
  }

  @Override
  default void close() {}

  /**
   * Opens an {@link Api} for the global options; called once, on the first call of a command.
   * {@code token} is the bearer token to send with every call, or null for none.
   */
  @FunctionalInterface
  interface Factory {
    Api open(ServerAddress server, Transport transport, int timeoutSeconds, String token);
  }
}

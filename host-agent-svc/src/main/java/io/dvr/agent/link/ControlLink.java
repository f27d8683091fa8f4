package io.dvr.agent.link;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * How an agent reaches the control plane's event bus: as a member of the cluster itself
 * ({@link BusLink}) or through a relay's stream ({@link RelayLink}). The agent's sync sees the
 * same requests, listeners and served addresses either way.
 */
public interface ControlLink {
  /** A request/reply; fails with an ApiError carrying the answering side's gRPC status. */
  <R> Future<R> request(String address, Message request, Parser<R> reply, long timeoutMillis, DeliveryOptions options);

  /** The same without headers. */
  default <R> Future<R> request(String address, Message request, Parser<R> reply, long timeoutMillis) {
    return request(address, request, reply, timeoutMillis, new DeliveryOptions());
  }

  /** Takes the messages published or sent to {@code address}. */
  <T> Subscription listen(String address, Parser<T> parser, Consumer<T> handler);

  /** Answers the requests made to {@code address}. */
  <Q, R extends Message> Subscription serve(String address, Parser<Q> parser, Function<Q, Future<R>> handler);

  /**
   * {@code resync} runs (on any thread) whenever messages may have been missed: after a relay's
   * stream was lost and taken again. A cluster member's link never calls it.
   */
  void onGap(Runnable resync);

  /** Lets go of the link's connections (the listeners are cancelled by their owners first). */
  Future<Void> close();

  /** What {@link #listen} and {@link #serve} return: cancelling stops the messages. */
  interface Subscription {
    Future<Void> cancel();
  }
}

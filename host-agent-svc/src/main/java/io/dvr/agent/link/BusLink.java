package io.dvr.agent.link;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.dvr.common.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/** The agent as a member of the clustered event bus (or of an in-process one): straight through {@link Bus}. */
public final class BusLink implements ControlLink {
  private final Vertx vertx;

  public BusLink(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public <R> Future<R> request(String address, Message request, Parser<R> reply, long timeoutMillis,
      DeliveryOptions options) {
    return Bus.request(vertx, address, request, reply, timeoutMillis, options);
  }

  @Override
  public <T> Subscription listen(String address, Parser<T> parser, Consumer<T> handler) {
    return of(Bus.listen(vertx, address, parser, handler));
  }

  @Override
  public <Q, R extends Message> Subscription serve(String address, Parser<Q> parser, Function<Q, Future<R>> handler) {
    return of(Bus.serve(vertx, address, parser, handler));
  }

  @Override
  public void onGap(Runnable resync) {
    // A member misses nothing it is registered for while it is a member.
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  private static Subscription of(MessageConsumer<?> consumer) {
    return consumer::unregister;
  }
}

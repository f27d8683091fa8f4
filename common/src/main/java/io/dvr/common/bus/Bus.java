package io.dvr.common.bus;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.dvr.common.tracing.TracedHandler;
import io.dvr.common.grpc.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dvr.v1 messages on the event bus: serialised protobuf in a Buffer (no codec to register on
 * every cluster member), request/reply with a timeout, failures carried as the gRPC status code
 * and message. Every call checks the address against {@link BusContract}: an address that is not
 * there, or a message or parser of another type, is an IllegalArgumentException naming it. A
 * request still unanswered when a cluster member dies is sent once more ({@link InFlightRequests}).
 * The only code that touches the Vert.x event bus directly.
 */
public final class Bus {
  private static final Logger LOG = LoggerFactory.getLogger(Bus.class);

  private Bus() {}

  public static Buffer encode(Message message) {
    return Buffer.buffer(message.toByteArray());
  }

  public static <T> T decode(Parser<T> parser, Buffer body) {
    try {
      return parser.parseFrom(body.getBytes());
    } catch (InvalidProtocolBufferException e) {
      throw new ApiError(GrpcStatus.INVALID_ARGUMENT, "undecodable event-bus payload: " + e.getMessage());
    }
  }

  public static <R> Future<R> request(Vertx vertx, String address, Message request, Parser<R> reply, long timeoutMillis) {
    return request(vertx, address, request, reply, timeoutMillis, new DeliveryOptions());
  }

  /** A request with delivery options (headers such as a host's proof); the timeout is set here. */
  public static <R> Future<R> request(Vertx vertx, String address, Message request, Parser<R> reply, long timeoutMillis,
      DeliveryOptions options) {
    BusContract.Binding binding = BusContract.check(address, BusContract.Kind.REQUEST_REPLY);
    BusContract.checkMessage(binding, address, request);
    BusContract.checkParser(address, binding.reply(), reply, "replies");
    return InFlightRequests.of(vertx).request(vertx, address, encode(request), options, timeoutMillis)
        .map(msg -> decode(reply, msg.body()))
        .recover(err -> Future.failedFuture(err instanceof ReplyException re && re.failureCode() > 0
            ? new ApiError(GrpcStatus.valueOf(re.failureCode()), re.getMessage())
            : err));
  }

  /** Answers requests on an address; a failure replies with its gRPC status code and message. */
  public static <Q, R extends Message> MessageConsumer<Buffer> serve(Vertx vertx, String address, Parser<Q> parser,
      Function<Q, Future<R>> handler) {
    return serve(vertx, address, parser, handler, (request, msg) -> null);
  }

  /** Who may ask: null to answer, else the refusal to reply with (before the handler sees the request). */
  @FunctionalInterface
  public interface Admission<Q> {
    ApiError refusal(Q request, io.vertx.core.eventbus.Message<Buffer> message);
  }

  /** The same, answering only the requests {@code admission} lets in. */
  public static <Q, R extends Message> MessageConsumer<Buffer> serve(Vertx vertx, String address, Parser<Q> parser,
      Function<Q, Future<R>> handler, Admission<Q> admission) {
    BusContract.checkParser(address, BusContract.check(address, BusContract.Kind.REQUEST_REPLY).request(), parser,
        "is asked with");
    return vertx.eventBus().<Buffer>consumer(address, msg -> TracedHandler.run(() -> {
      Future<R> result;
      try {
        Q request = decode(parser, msg.body());
        ApiError refused = admission.refusal(request, msg);
        result = refused != null ? Future.failedFuture(refused) : handler.apply(request);
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onSuccess(r -> msg.reply(encode(r))).onFailure(err -> {
        if (err instanceof ApiError api) {
          msg.fail(api.status().code, api.getMessage());
        } else if (err instanceof StatusException status) {
          // A gRPC face's answer (already mapped and logged by GrpcErrors): keep its status.
          msg.fail(status.status().code, status.message() == null ? status.status().name() : status.message());
        } else {
          LOG.error("request on {} failed", address, err);
          msg.fail(GrpcStatus.INTERNAL.code, address + ": " + err);
        }
      });
    }));
  }

  /**
   * A request whose body is already serialised (a relay forwarding an agent's request): the address
   * must be a request/reply address of the contract; the answer's body is returned as it came.
   */
  public static Future<Buffer> requestBody(Vertx vertx, String address, Buffer body, DeliveryOptions options,
      long timeoutMillis) {
    BusContract.check(address, BusContract.Kind.REQUEST_REPLY);
    return InFlightRequests.of(vertx).request(vertx, address, body, options, timeoutMillis)
        .map(io.vertx.core.eventbus.Message::body)
        .recover(err -> Future.failedFuture(failure(err)));
  }

  /**
   * The failure of a bus request as an ApiError with its gRPC status: the answering service's own
   * code, DEADLINE_EXCEEDED for a timeout, UNAVAILABLE when no member answers the address.
   */
  public static ApiError failure(Throwable err) {
    if (err instanceof ApiError api) {
      return api;
    }
    if (err instanceof ReplyException re) {
      if (re.failureCode() > 0) {
        return new ApiError(GrpcStatus.valueOf(re.failureCode()), re.getMessage());
      }
      return switch (re.failureType()) {
        case TIMEOUT -> new ApiError(GrpcStatus.DEADLINE_EXCEEDED, re.getMessage());
        case NO_HANDLERS -> new ApiError(GrpcStatus.UNAVAILABLE, re.getMessage());
        default -> new ApiError(GrpcStatus.INTERNAL, String.valueOf(re.getMessage()));
      };
    }
    return new ApiError(GrpcStatus.INTERNAL, String.valueOf(err));
  }

  /**
   * Answers requests on a request/reply address with serialised bodies (a relay passing them to the
   * agent that serves it); a failed answer replies with its gRPC status code and message.
   */
  public static MessageConsumer<Buffer> serveBodies(Vertx vertx, String address, Function<Buffer, Future<Buffer>> handler) {
    BusContract.check(address, BusContract.Kind.REQUEST_REPLY);
    return vertx.eventBus().<Buffer>consumer(address, msg -> {
      Future<Buffer> answer;
      try {
        answer = handler.apply(msg.body());
      } catch (RuntimeException e) {
        answer = Future.failedFuture(e);
      }
      answer.onSuccess(msg::reply).onFailure(err -> {
        ApiError api = failure(err);
        msg.fail(api.status().code, api.getMessage());
      });
    });
  }

  /** Takes the serialised messages published or sent to an address (a relay passing them on). */
  public static MessageConsumer<Buffer> listenBodies(Vertx vertx, String address, Consumer<Buffer> handler) {
    BusContract.Binding binding = BusContract.of(address);
    if (binding.kind() == BusContract.Kind.REQUEST_REPLY) {
      throw new IllegalArgumentException("event-bus address '" + address + "' is REQUEST_REPLY: serve it, do not listen");
    }
    return vertx.eventBus().<Buffer>consumer(address, msg -> {
      BusMeters.received(binding);
      handler.accept(msg.body());
    });
  }

  public static void publish(Vertx vertx, String address, Message message) {
    publish(vertx, address, message, new DeliveryOptions());
  }

  /** Publishes with delivery options (e.g. headers that let receivers filter cheaply). */
  public static void publish(Vertx vertx, String address, Message message, DeliveryOptions options) {
    BusContract.Binding binding = BusContract.check(address, BusContract.Kind.PUBLISH);
    BusContract.checkMessage(binding, address, message);
    vertx.eventBus().publish(address, encode(message), options);
    BusMeters.sent(binding);
  }

  /**
   * To the one listener of the address: a host's agent. Delivered to every registration of the
   * address, not to one picked among them: a host has one agent, but after the relay that carried
   * it died and before the cluster declared its member gone (tens of seconds after a kill), the
   * dead relay's registration stands beside the one of the relay the agent moved to, and a
   * point-to-point send could pick the dead one and lose the message. Every per-host message is
   * idempotent to apply, so the rare second copy costs nothing.
   */
  public static void send(Vertx vertx, String address, Message message) {
    BusContract.Binding binding = BusContract.check(address, BusContract.Kind.SEND);
    BusContract.checkMessage(binding, address, message);
    vertx.eventBus().publish(address, encode(message));
    BusMeters.sent(binding);
  }

  /** Listens for published messages; a bad payload is logged and dropped. */
  public static <T> MessageConsumer<Buffer> listen(Vertx vertx, String address, Parser<T> parser, Consumer<T> handler) {
    BusContract.checkListen(address, parser);
    BusContract.Binding binding = BusContract.of(address);
    return vertx.eventBus().<Buffer>consumer(address, msg -> TracedHandler.run(() -> {
      BusMeters.received(binding);
      try {
        handler.accept(decode(parser, msg.body()));
      } catch (RuntimeException e) {
        LOG.warn("dropping a message on {}: {}", address, e.toString());
      }
    }));
  }
}

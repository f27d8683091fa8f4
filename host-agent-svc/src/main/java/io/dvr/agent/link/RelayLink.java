package io.dvr.agent.link;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.dvr.common.bus.Bus;
import io.dvr.common.grpc.ApiError;
import io.dvr.common.grpc.StatusMessage;
import io.dvr.common.net.HostPort;
import io.dvr.proto.v1.AgentFrame;
import io.dvr.proto.v1.HostRelayGrpcClient;
import io.dvr.proto.v1.RelayDelivery;
import io.dvr.proto.v1.RelayFrame;
import io.dvr.proto.v1.RelayHello;
import io.dvr.proto.v1.RelayListen;
import io.dvr.proto.v1.RelayReply;
import io.dvr.proto.v1.RelayRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent attached to a relay (relay-svc) over one gRPC stream instead of being a cluster member:
 * it says its host, what it listens to and serves, and sends its requests up; the relay sends the
 * messages, the requests to answer and the answers down. When the stream is lost (the relay gone,
 * silent for three keepalives, or ending it), the agent attaches to the next relay of
 * {@code agent.relays}, says again what it listens to, sends again every request still waiting
 * (each request of the bus contract is idempotent; each keeps its own time limit) and reports a
 * gap, after which the sync fetches in full. Everything it holds is used on one context.
 */
public final class RelayLink implements ControlLink {
  private static final Logger LOG = LoggerFactory.getLogger(RelayLink.class);

  /**
   * The delays between attempts to attach, from the first to the longest, and how long one attempt
   * may take from asking until the relay's welcome: a relay whose name no longer resolves (a
   * container gone, a DNS server forwarding the query to one that never answers) or that
   * accepts and says nothing must not hold the agent away from the next relay.
   */
  public record Retry(long firstMillis, long longestMillis, long attachMillis) {
    /** 10 s to attach: a cold agent's first TLS handshake with a relay starting too can take several. */
    public static final Retry DEFAULT = new Retry(100, 5_000, 10_000);

    public Retry {
      if (firstMillis <= 0 || longestMillis < firstMillis || attachMillis <= 0) {
        throw new IllegalArgumentException("relay retry delays must be positive, the longest at least the first: "
            + firstMillis + ", " + longestMillis + ", attach " + attachMillis);
      }
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final GrpcClient client;
  private final List<SocketAddress> relays;
  private final String host;
  private final Retry retry;
  private final List<Runnable> gapHandlers = new CopyOnWriteArrayList<>();
  /** What the agent takes, by address, in the order it asked. */
  private final Map<String, Taker> takers = new LinkedHashMap<>();
  /** Requests awaiting their answer, sent on the current stream or waiting for one. */
  private final Map<Long, Pending> pending = new LinkedHashMap<>();
  private long nextId = 1;
  private Stream current;
  private int nextRelay;
  private long retryMillis;
  private boolean welcomedBefore;
  private boolean closed;

  /** What is done with one address's messages: a listener's, or a server's answers. */
  private sealed interface Taker {}

  private record Listener(Consumer<Buffer> handler) implements Taker {}

  private record Server(Function<Buffer, Future<Buffer>> handler) implements Taker {}

  private record Pending(RelayRequest frame, Promise<Buffer> answer, long timer) {}

  /** One attempt's stream; {@code lastHeard} and the keepalive watch belong to it. */
  private final class Stream {
    final SocketAddress relay;
    GrpcClientRequest<AgentFrame, RelayFrame> request;
    long lastHeardNanos = System.nanoTime();
    long watch = -1;
    long attachTimer = -1;
    boolean welcomed;

    Stream(SocketAddress relay) {
      this.relay = relay;
    }

    void write(AgentFrame frame) {
      if (request != null && current == this) {
        request.write(frame);
      }
    }
  }

  /**
   * {@code client}: a gRPC client with the agent's certificate; {@code relays}: where relays listen,
   * tried in turn. Attaches at once, in the background.
   */
  public RelayLink(Vertx vertx, GrpcClient client, List<SocketAddress> relays, String host, Retry retry) {
    if (relays.isEmpty()) {
      throw new IllegalArgumentException("a relay link needs at least one relay address");
    }
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.client = client;
    this.relays = List.copyOf(relays);
    this.host = host;
    this.retry = retry;
    this.retryMillis = retry.firstMillis();
    context.runOnContext(v -> attach());
  }

  /** Parses {@code agent.relays}: host:port[,host:port...], naming the setting when it is malformed. */
  public static List<SocketAddress> addresses(String setting, String value) {
    return HostPort.parseList(setting, value).stream().map(HostPort::socketAddress).toList();
  }

  @Override
  public <R> Future<R> request(String address, Message request, Parser<R> reply, long timeoutMillis,
      DeliveryOptions options) {
    Promise<Buffer> answer = Promise.promise();
    Map<String, String> headers = new LinkedHashMap<>();
    if (options.getHeaders() != null) {
      options.getHeaders().forEach(h -> headers.put(h.getKey(), h.getValue()));
    }
    ByteString body = request.toByteString();
    context.runOnContext(v -> {
      if (closed) {
        answer.fail(new ApiError(GrpcStatus.UNAVAILABLE, "the relay link of host '" + host + "' is closed"));
        return;
      }
      long id = nextId++;
      RelayRequest frame = RelayRequest.newBuilder().setId(id).setAddress(address).setBody(body).putAllHeaders(headers)
          .setTimeoutMs((int) Math.min(timeoutMillis, Integer.MAX_VALUE)).build();
      long timer = vertx.setTimer(Math.max(1, timeoutMillis), t -> {
        Pending late = pending.remove(id);
        if (late != null) {
          late.answer().tryFail(new ApiError(GrpcStatus.DEADLINE_EXCEEDED, "no answer to " + address + " within "
              + timeoutMillis + " ms" + (current != null && current.welcomed ? " (through relay " + current.relay + ")"
              : " (no relay attached)")));
        }
      });
      pending.put(id, new Pending(frame, answer, timer));
      if (current != null) {
        current.write(AgentFrame.newBuilder().setRequest(frame).build());
      }
    });
    return answer.future().map(b -> Bus.decode(reply, b));
  }

  @Override
  public <T> Subscription listen(String address, Parser<T> parser, Consumer<T> handler) {
    return take(address, new Listener(body -> {
      T message;
      try {
        message = Bus.decode(parser, body);
      } catch (RuntimeException e) {
        LOG.warn("host {}: dropping a message on {}: {}", host, address, e.toString());
        return;
      }
      handler.accept(message);
    }), false);
  }

  @Override
  public <Q, R extends Message> Subscription serve(String address, Parser<Q> parser, Function<Q, Future<R>> handler) {
    return take(address, new Server(body -> {
      try {
        return handler.apply(Bus.decode(parser, body)).map(r -> Buffer.buffer(r.toByteArray()));
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }), true);
  }

  private Subscription take(String address, Taker taker, boolean serve) {
    context.runOnContext(v -> {
      takers.put(address, taker);
      if (current != null) {
        current.write(listenFrame(address, serve));
      }
    });
    // The relay keeps its consumer until the stream ends; what comes after this is dropped here.
    return () -> {
      Promise<Void> done = Promise.promise();
      context.runOnContext(v -> {
        takers.remove(address, taker);
        done.complete();
      });
      return done.future();
    };
  }

  private static AgentFrame listenFrame(String address, boolean serve) {
    return AgentFrame.newBuilder().setListen(RelayListen.newBuilder().setAddress(address).setServe(serve)).build();
  }

  @Override
  public void onGap(Runnable resync) {
    gapHandlers.add(resync);
  }

  /** The relay the link is attached to now, if any (tests, logs). */
  public Future<String> attachedTo() {
    Promise<String> out = Promise.promise();
    context.runOnContext(v -> out.complete(current != null && current.welcomed ? current.relay.toString() : ""));
    return out.future();
  }

  private void attach() {
    if (closed || current != null) {
      return;
    }
    Stream stream = new Stream(relays.get(nextRelay++ % relays.size()));
    current = stream;
    stream.attachTimer = vertx.setTimer(retry.attachMillis(), t -> {
      if (current == stream && !stream.welcomed) {
        if (stream.request != null) {
          abandon(stream, stream.request);
        }
        lost(stream, "not attached within " + retry.attachMillis() + " ms");
      }
    });
    Future<GrpcClientRequest<AgentFrame, RelayFrame>> opening;
    try {
      opening = client.request(stream.relay, HostRelayGrpcClient.Attach);
    } catch (RuntimeException e) {
      // The client throws rather than fails when it is closed (its Vert.x closing under a retry
      // timer): an attempt lost like any other, never an exception out of a timer.
      opening = Future.failedFuture(e);
    }
    opening.onComplete(made -> {
      if (made.failed()) {
        lost(stream, "cannot reach it: " + made.cause().getMessage());
        return;
      }
      if (current != stream) {
        abandon(stream, made.result());
        return;
      }
      GrpcClientRequest<AgentFrame, RelayFrame> request = made.result();
      stream.request = request;
      request.write(AgentFrame.newBuilder().setHello(RelayHello.newBuilder().setHost(host)).build());
      takers.forEach((address, taker) -> request.write(listenFrame(address, taker instanceof Server)));
      pending.values().forEach(p -> request.write(AgentFrame.newBuilder().setRequest(p.frame()).build()));
      request.response().onComplete(answered -> {
        if (answered.failed()) {
          lost(stream, answered.cause().getMessage());
          return;
        }
        var response = answered.result();
        response.handler(frame -> {
          if (current == stream) {
            stream.lastHeardNanos = System.nanoTime();
            take(stream, frame);
          }
        });
        response.exceptionHandler(err -> lost(stream, err.getMessage()));
        // By name: GrpcStatus prints as its number, and "7" tells the operator nothing.
        response.endHandler(v -> lost(stream, "it ended the stream: "
            + (response.status() == null ? "no status" : response.status().name())
            + (StatusMessage.of(response) == null ? "" : " " + StatusMessage.of(response))));
      });
    });
  }

  /**
   * Ends an attempt given up: its stream, and its connection unless another attempt, now current,
   * goes to the same relay (and may share it), so that no idle connection stays with a relay the
   * agent moved away from.
   */
  private void abandon(Stream stream, GrpcClientRequest<AgentFrame, RelayFrame> request) {
    request.cancel();
    Stream now = current;
    if ((now == null || now == stream || !now.relay.equals(stream.relay)) && request.connection() != null) {
      request.connection().close();
    }
  }

  private void take(Stream stream, RelayFrame frame) {
    switch (frame.getFrameCase()) {
      case WELCOME -> welcomed(stream, frame.getWelcome().getRelay(), frame.getWelcome().getKeepaliveMs());
      case DELIVERY -> deliver(frame.getDelivery());
      case REQUEST -> answer(stream, frame.getRequest());
      case REPLY -> replied(frame.getReply());
      case KEEPALIVE -> { } // heard: that is all it is for
      default -> LOG.debug("host {}: an empty frame from relay {}", host, stream.relay);
    }
  }

  private void welcomed(Stream stream, String relay, long keepaliveMillis) {
    stream.welcomed = true;
    vertx.cancelTimer(stream.attachTimer);
    retryMillis = retry.firstMillis();
    LOG.info("host {}: attached to relay {} ({})", host, relay, stream.relay);
    if (keepaliveMillis > 0) {
      stream.watch = vertx.setPeriodic(keepaliveMillis, id -> {
        if (System.nanoTime() - stream.lastHeardNanos > 3_000_000L * keepaliveMillis) {
          stream.request.cancel();
          lost(stream, "nothing heard for " + 3 * keepaliveMillis + " ms");
        }
      });
    }
    if (welcomedBefore) {
      gapHandlers.forEach(Runnable::run); // what was sent while no stream took it is lost: fetch in full
    }
    welcomedBefore = true;
  }

  private void deliver(RelayDelivery delivery) {
    if (takers.get(delivery.getAddress()) instanceof Listener listener) {
      listener.handler().accept(Buffer.buffer(delivery.getBody().toByteArray()));
    }
  }

  private void answer(Stream stream, RelayRequest request) {
    Future<Buffer> answer = takers.get(request.getAddress()) instanceof Server server
        ? server.handler().apply(Buffer.buffer(request.getBody().toByteArray()))
        : Future.failedFuture(new ApiError(GrpcStatus.UNIMPLEMENTED, "host '" + host + "' does not serve "
            + request.getAddress()));
    answer.onComplete(done -> context.runOnContext(v -> {
      RelayReply.Builder reply = RelayReply.newBuilder().setId(request.getId());
      if (done.succeeded()) {
        reply.setBody(ByteString.copyFrom(done.result().getBytes()));
      } else {
        Throwable err = done.cause();
        GrpcStatus status = err instanceof ApiError api ? api.status()
            : err instanceof StatusException se ? se.status() : GrpcStatus.INTERNAL;
        reply.setFailureCode(status.code).setFailureMessage(String.valueOf(err.getMessage()));
      }
      stream.write(AgentFrame.newBuilder().setReply(reply).build());
    }));
  }

  private void replied(RelayReply reply) {
    Pending p = pending.remove(reply.getId());
    if (p == null) {
      return; // its time ran out already
    }
    vertx.cancelTimer(p.timer());
    if (reply.getFailureCode() == 0) {
      p.answer().tryComplete(Buffer.buffer(reply.getBody().toByteArray()));
    } else {
      p.answer().tryFail(new ApiError(GrpcStatus.valueOf(reply.getFailureCode()), reply.getFailureMessage()));
    }
  }

  /** The stream is gone: the next relay is tried after the retry delay (doubled each time, up to the longest). */
  private void lost(Stream stream, String why) {
    context.runOnContext(v -> {
      if (current != stream) {
        return;
      }
      current = null;
      if (stream.watch >= 0) {
        vertx.cancelTimer(stream.watch);
      }
      vertx.cancelTimer(stream.attachTimer);
      if (closed) {
        return;
      }
      LOG.warn("host {}: relay {}: {}; attaching to {} in {} ms", host, stream.relay, why,
          relays.get(nextRelay % relays.size()), retryMillis);
      long delay = retryMillis;
      retryMillis = Math.min(retry.longestMillis(), retryMillis * 2);
      vertx.setTimer(delay, t -> attach());
    });
  }

  @Override
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      closed = true;
      Stream stream = current;
      current = null;
      if (stream != null) {
        if (stream.watch >= 0) {
          vertx.cancelTimer(stream.watch);
        }
        vertx.cancelTimer(stream.attachTimer);
        if (stream.request != null) {
          stream.request.end();
        }
      }
      pending.values().forEach(p -> {
        vertx.cancelTimer(p.timer());
        p.answer().tryFail(new ApiError(GrpcStatus.UNAVAILABLE, "the relay link of host '" + host + "' closed"));
      });
      pending.clear();
      client.close().onComplete(c -> done.complete());
    });
    return done.future();
  }
}

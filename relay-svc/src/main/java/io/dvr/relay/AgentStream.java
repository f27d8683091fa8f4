package io.dvr.relay;

import com.google.protobuf.ByteString;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.BusContract;
import io.dvr.common.grpc.ApiError;
import io.dvr.common.security.HostCredentials;
import io.dvr.proto.v1.AgentFrame;
import io.dvr.proto.v1.RelayDelivery;
import io.dvr.proto.v1.RelayFrame;
import io.dvr.proto.v1.RelayKeepalive;
import io.dvr.proto.v1.RelayListen;
import io.dvr.proto.v1.RelayReply;
import io.dvr.proto.v1.RelayRequest;
import io.dvr.proto.v1.RelayWelcome;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent attached to this relay, after its hello: the bus consumers it asked for, the requests
 * it makes and those it answers. Everything runs on the stream's context. The stream ends, and
 * every consumer goes, when the agent ends it, breaks a rule ({@link AgentAddresses}), falls so far
 * behind that its frames pile up, or another stream of the same host replaces it; the agent then
 * attaches again and fetches in full.
 */
final class AgentStream {
  private static final Logger LOG = LoggerFactory.getLogger(AgentStream.class);
  /** Headers of an agent's request passed on to the bus: the host's proof and the trace. */
  private static final String[] PASSED_HEADERS = {HostCredentials.HEADER, "traceparent"};

  private final Vertx vertx;
  private final Context context;
  private final String host;
  private final AgentAddresses addresses;
  private final GrpcServerResponse<AgentFrame, RelayFrame> response;
  private final RelaySettings settings;
  private final Consumer<AgentStream> ended;
  private final SharedAddresses shared;
  private final Map<String, MessageConsumer<Buffer>> consumers = new HashMap<>();
  /** The addresses to every agent this stream takes, through the relay's one consumer of each. */
  private final java.util.Set<String> sharedTaken = new java.util.HashSet<>();
  /** Requests on served addresses sent down, by id, until the agent answers. */
  private final Map<Long, Promise<Buffer>> asked = new HashMap<>();
  private long nextId = 1;
  /**
   * Completes once every consumer asked for so far is registered on the bus (on a cluster, known to
   * the other members): the agent's requests wait for it, so that what it fetches after saying what
   * it listens to cannot miss a change published in between.
   */
  private Future<Void> registered = Future.succeededFuture();
  private long keepaliveTimer = -1;
  private boolean over;

  AgentStream(Vertx vertx, Context context, String host, GrpcServerResponse<AgentFrame, RelayFrame> response,
      RelaySettings settings, SharedAddresses shared, Consumer<AgentStream> ended) {
    this.shared = shared;
    this.vertx = vertx;
    this.context = context;
    this.host = host;
    this.addresses = new AgentAddresses(host);
    this.response = response;
    this.settings = settings;
    this.ended = ended;
  }

  String host() {
    return host;
  }

  /** Welcomes the agent and keeps the stream warm while it is quiet. */
  void welcome() {
    write(RelayFrame.newBuilder().setWelcome(RelayWelcome.newBuilder().setRelay(settings.name())
        .setKeepaliveMs((int) settings.keepaliveMillis())).build());
    keepaliveTimer = vertx.setPeriodic(settings.keepaliveMillis(),
        id -> write(RelayFrame.newBuilder().setKeepalive(RelayKeepalive.getDefaultInstance()).build()));
  }

  void take(AgentFrame frame) {
    if (over) {
      return;
    }
    switch (frame.getFrameCase()) {
      case LISTEN -> listen(frame.getListen());
      case REQUEST -> ask(frame.getRequest());
      case REPLY -> answered(frame.getReply());
      case HELLO -> end(GrpcStatus.INVALID_ARGUMENT, "hello is the first frame only; host '" + host + "' already said it");
      default -> end(GrpcStatus.INVALID_ARGUMENT, "an empty frame (AgentFrame.frame not set)");
    }
  }

  private void listen(RelayListen listen) {
    String address = listen.getAddress();
    Optional<ApiError> refused = addresses.refusalToListen(address, listen.getServe());
    if (refused.isPresent()) {
      LOG.warn("host {}: {}", host, refused.get().getMessage());
      end(refused.get().status(), refused.get().getMessage());
      return;
    }
    if (consumers.containsKey(address) || sharedTaken.contains(address)) {
      return; // asked again: once is enough
    }
    if (BusContract.TO_EVERY_AGENT.contains(address)) {
      sharedTaken.add(address);
      awaitRegistered(shared.join(address, this));
      return;
    }
    MessageConsumer<Buffer> consumer = listen.getServe()
        ? Bus.serveBodies(vertx, address, body -> askAgent(address, body))
        : Bus.listenBodies(vertx, address, body -> deliver(address, body));
    consumers.put(address, consumer);
    awaitRegistered(consumer.completion());
  }

  private void awaitRegistered(Future<Void> registration) {
    registration.onFailure(err -> LOG.warn("host {}: a consumer was not registered: {}", host, err.toString()));
    registered = Future.join(registered, registration).<Void>mapEmpty().otherwiseEmpty();
  }

  /** A message of a shared address, from the relay's one consumer of it: written on this stream's context. */
  void deliverSoon(String address, Buffer body) {
    context.runOnContext(v -> deliver(address, body));
  }

  private void deliver(String address, Buffer body) {
    write(RelayFrame.newBuilder().setDelivery(RelayDelivery.newBuilder().setAddress(address)
        .setBody(ByteString.copyFrom(body.getBytes()))).build());
  }

  /** An agent's request, made on the bus with its proof; the answer or the failure goes down. */
  private void ask(RelayRequest request) {
    Buffer body = Buffer.buffer(request.getBody().toByteArray());
    Optional<ApiError> refused = addresses.refusalToAsk(request.getAddress(), body);
    if (refused.isPresent()) {
      LOG.warn("host {}: {}", host, refused.get().getMessage());
      reply(request.getId(), Future.failedFuture(refused.get()));
      return;
    }
    DeliveryOptions options = new DeliveryOptions();
    for (String name : PASSED_HEADERS) {
      String value = request.getHeadersMap().get(name);
      if (value != null) {
        options.addHeader(name, value);
      }
    }
    long timeout = request.getTimeoutMs() == 0 ? settings.maxRequestMillis()
        : Math.min(request.getTimeoutMs(), settings.maxRequestMillis());
    registered.onComplete(v -> reply(request.getId(), Bus.requestBody(vertx, request.getAddress(), body, options,
        timeout)));
  }

  private void reply(long id, Future<Buffer> answer) {
    answer.onComplete(done -> context.runOnContext(v -> {
      RelayReply.Builder reply = RelayReply.newBuilder().setId(id);
      if (done.succeeded()) {
        reply.setBody(ByteString.copyFrom(done.result().getBytes()));
      } else {
        ApiError failure = Bus.failure(done.cause());
        reply.setFailureCode(failure.status().code).setFailureMessage(String.valueOf(failure.getMessage()));
      }
      write(RelayFrame.newBuilder().setReply(reply).build());
    }));
  }

  /** A bus request on an address the agent serves: down the stream, answered by the agent's RelayReply. */
  private Future<Buffer> askAgent(String address, Buffer body) {
    Promise<Buffer> answer = Promise.promise();
    context.runOnContext(v -> {
      if (over) {
        answer.fail(new ApiError(GrpcStatus.UNAVAILABLE, "the agent of host '" + host + "' left this relay"));
        return;
      }
      long id = nextId++;
      asked.put(id, answer);
      // The asker's own timeout answers it; this one only forgets an agent that never answers.
      long timer = vertx.setTimer(settings.maxRequestMillis(), t -> {
        Promise<Buffer> late = asked.remove(id);
        if (late != null) {
          late.tryFail(new ApiError(GrpcStatus.DEADLINE_EXCEEDED, "the agent of host '" + host + "' did not answer "
              + address + " within " + settings.maxRequestMillis() + " ms"));
        }
      });
      answer.future().onComplete(done -> vertx.cancelTimer(timer));
      write(RelayFrame.newBuilder().setRequest(RelayRequest.newBuilder().setId(id).setAddress(address)
          .setBody(ByteString.copyFrom(body.getBytes()))).build());
    });
    return answer.future();
  }

  private void answered(RelayReply reply) {
    Promise<Buffer> answer = asked.remove(reply.getId());
    if (answer == null) {
      return; // answered after its time: the asker has its timeout already
    }
    if (reply.getFailureCode() == 0) {
      answer.tryComplete(Buffer.buffer(reply.getBody().toByteArray()));
    } else {
      answer.tryFail(new ApiError(GrpcStatus.valueOf(reply.getFailureCode()), reply.getFailureMessage()));
    }
  }

  private void write(RelayFrame frame) {
    if (over) {
      return;
    }
    if (response.writeQueueFull()) {
      // The agent does not keep up: rather than hold ever more for it, end; it attaches again and fetches in full.
      end(GrpcStatus.RESOURCE_EXHAUSTED, "host '" + host + "' fell behind its stream; attach again");
      return;
    }
    response.write(frame);
  }

  /** Ends the stream with a status (OK: the agent ended it) and lets go of everything it held. */
  void end(GrpcStatus status, String message) {
    if (over) {
      return;
    }
    over = true;
    if (status != GrpcStatus.OK) {
      LOG.info("host {}: stream ended: {} {}", host, status, message);
    }
    try {
      if (status == GrpcStatus.OK) {
        response.end();
      } else {
        response.status(status).statusMessage(message).end();
      }
    } catch (IllegalStateException e) {
      // already ended or reset by the agent's side
    }
    released();
  }

  /** {@link #end} from any thread: on the stream's own context. */
  void endSoon(GrpcStatus status, String message) {
    context.runOnContext(v -> end(status, message));
  }

  /** The stream broke under us (reset, connection gone). */
  void broken() {
    if (!over) {
      over = true;
      LOG.info("host {}: stream broken", host);
      released();
    }
  }

  private void released() {
    if (keepaliveTimer >= 0) {
      vertx.cancelTimer(keepaliveTimer);
    }
    consumers.values().forEach(MessageConsumer::unregister);
    consumers.clear();
    if (!sharedTaken.isEmpty()) {
      shared.leave(this);
      sharedTaken.clear();
    }
    asked.values().forEach(p -> p.tryFail(new ApiError(GrpcStatus.UNAVAILABLE, "the agent of host '" + host
        + "' left this relay")));
    asked.clear();
    ended.accept(this);
  }

  /** How many addresses the stream takes, read on its context. */
  Future<Integer> listeningNow() {
    Promise<Integer> out = Promise.promise();
    context.runOnContext(v -> out.complete(consumers.size() + sharedTaken.size()));
    return out.future();
  }
}

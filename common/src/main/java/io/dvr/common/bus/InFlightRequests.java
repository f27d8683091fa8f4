package io.dvr.common.bus;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus requests of one Vert.x instance that await their answer. The clustered bus fails no
 * request when the member that took it dies: the asker would wait for its whole time limit (5 to
 * 10 s) while another instance of the service could answer at once. So when the cluster loses a
 * member, every request still waiting is sent once more, within its own time limit, to whichever
 * instance the bus picks now (the lost member's registrations are gone by then); the first answer
 * wins and a late one is ignored. Every request of {@link BusContract} is idempotent, so a repeat
 * has the effect of one. A member learns that the lost member's registrations are gone from the
 * cluster's map asynchronously (the oldest member removes them), so under load the first repeat
 * may still go to the lost member: each waiting request is sent again after {@link #RESEND_AFTER_MS}
 * as well, while it still waits.
 */
public final class InFlightRequests {
  private static final Logger LOG = LoggerFactory.getLogger(InFlightRequests.class);
  /** The later repeats after a member left, in ms after it. */
  static final long[] RESEND_AFTER_MS = {1_000, 4_000};
  private static final Map<Vertx, InFlightRequests> BY_VERTX = Collections.synchronizedMap(new WeakHashMap<>());

  /** Only requests awaiting an answer hold their Vert.x: a closed instance is not kept by the map. */
  private final Set<Pending> pending = ConcurrentHashMap.newKeySet();

  private InFlightRequests() {}

  /** The requests of this Vert.x instance. */
  public static InFlightRequests of(Vertx vertx) {
    return BY_VERTX.computeIfAbsent(vertx, v -> new InFlightRequests());
  }

  /** Requests awaiting an answer now. */
  public int size() {
    return pending.size();
  }

  /** Sends a request; it is sent again if a member leaves the cluster before it is answered. */
  Future<Message<Buffer>> request(Vertx vertx, String address, Buffer body, DeliveryOptions options,
      long timeoutMillis) {
    Pending p = new Pending(vertx, address, body, options, System.nanoTime() + timeoutMillis * 1_000_000,
        vertx.getOrCreateContext());
    pending.add(p);
    p.send();
    return p.answer.future().onComplete(done -> pending.remove(p));
  }

  /**
   * A member left the cluster (called once the bus has dropped its registrations): every request
   * still waiting goes out once more, on the context that sent it.
   */
  public void memberLeft() {
    int resent = 0;
    for (Pending p : pending) {
      p.context.runOnContext(v -> p.send());
      for (long after : RESEND_AFTER_MS) {
        p.vertx.setTimer(after, id -> p.context.runOnContext(v -> p.send()));
      }
      resent++;
    }
    if (resent > 0) {
      LOG.info("a cluster member left: {} bus request(s) awaiting an answer sent once more", resent);
    }
  }

  private static final class Pending {
    final Vertx vertx;
    final String address;
    final Buffer body;
    final DeliveryOptions options;
    final long deadlineNanos;
    final Context context;
    final Promise<Message<Buffer>> answer = Promise.promise();
    /** Attempts sent and not yet ended; touched on {@link #context} only. */
    int outstanding;

    Pending(Vertx vertx, String address, Buffer body, DeliveryOptions options, long deadlineNanos, Context context) {
      this.vertx = vertx;
      this.address = address;
      this.body = body;
      this.options = options;
      this.deadlineNanos = deadlineNanos;
      this.context = context;
    }

    void send() {
      long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
      if (answer.future().isComplete() || left <= 0) {
        return;
      }
      outstanding++;
      vertx.eventBus().<Buffer>request(address, body, new DeliveryOptions(options).setSendTimeout(left))
          .onComplete(res -> {
            outstanding--;
            if (res.succeeded()) {
              answer.tryComplete(res.result());
            } else if (isAnswer(res.cause()) || outstanding == 0) {
              // A service's own failure is its answer; a lost or late answer waits for the others.
              answer.tryFail(res.cause());
            }
          });
    }
  }

  /** A failure the answering service sent (its status), not the lack of an answer. */
  private static boolean isAnswer(Throwable failure) {
    return failure instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE;
  }
}

package io.dvr.agent.sync;

import io.dvr.common.logging.LogFields;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * The one context a host's sync runs on (the ownership rule of this package): captured when the
 * sync starts, an event-loop context, so all of the sync's state is touched by one thread. Calls
 * from other threads {@link #run hop} onto it; futures completed elsewhere are brought {@link
 * #back} to it; every part's transition first {@link #check}s that it runs there.
 *
 * <p>The check compares threads, not {@code Context} objects: Vert.x delivers bus messages and
 * timers on duplicates of a context, which run on the same event-loop thread.
 */
final class SyncContext {
  private final String host;
  private final Context context;
  /** The event-loop thread of {@link #context}; null until the first task on it has run. */
  private volatile Thread owner;

  private SyncContext(String host, Context context) {
    this.host = host;
    this.context = context;
  }

  /**
   * The caller's context if it is on an event loop, else a new event-loop context (a caller
   * outside Vert.x, a test or a main thread). A worker context is refused: its tasks may run on
   * different threads, so the state it would own would not be confined.
   */
  static SyncContext capture(Vertx vertx, String host) {
    Context context = vertx.getOrCreateContext();
    if (!context.isEventLoopContext()) {
      throw new IllegalStateException("host " + host + ": the router sync must start on an event loop or outside "
          + "Vert.x, not on a worker (thread " + Thread.currentThread().getName() + ")");
    }
    SyncContext sync = new SyncContext(host, context);
    if (Context.isOnEventLoopThread() && Vertx.currentContext() != null) {
      sync.owner = Thread.currentThread();
    } else {
      // Queued first: every later hop runs after the owner is known.
      context.runOnContext(v -> sync.owner = Thread.currentThread());
    }
    return sync;
  }

  Vertx vertx() {
    return context.owner();
  }

  String host() {
    return host;
  }

  /** Whether the calling thread is the one that owns the sync's state. */
  boolean onContext() {
    return Thread.currentThread() == owner;
  }

  /**
   * Throws unless called on the sync's context: a transition of a part of the sync run from
   * another thread would race with the ones on it.
   */
  void check(String transition) {
    if (!onContext()) {
      Thread o = owner;
      throw new IllegalStateException("host " + host + ": " + transition + " ran on thread "
          + Thread.currentThread().getName() + ", not on the router sync's context (thread "
          + (o == null ? "not started yet" : o.getName()) + ")");
    }
  }

  /** Runs the action on the sync's context: now when called there, else queued behind what is waiting. */
  void run(Runnable action) {
    if (onContext()) {
      LogFields.within(LogFields.HOST, host, action);
    } else {
      context.runOnContext(v -> LogFields.within(LogFields.HOST, host, action));
    }
  }

  /** The same outcome, with its handlers run on the sync's context whichever thread completes it. */
  <T> Future<T> back(Future<T> future) {
    Promise<T> onContext = Promise.promise();
    future.onComplete(result -> run(() -> onContext.handle(result)));
    return onContext.future();
  }

  /** Runs the action on the sync's context after the delay; returns the timer id. */
  long timer(long delayMillis, Runnable action) {
    return vertx().setTimer(Math.max(1, delayMillis), id -> run(action));
  }

  /** Runs the action on the sync's context every period; returns the timer id. */
  long periodic(long periodMillis, Runnable action) {
    return vertx().setPeriodic(periodMillis, id -> run(action));
  }

  void cancel(long timerId) {
    vertx().cancelTimer(timerId);
  }
}

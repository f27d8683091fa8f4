package io.dvr.common.tracing;

import io.opentelemetry.context.Context;
import io.vertx.core.internal.ContextInternal;

/**
 * Keeps a bus message's trace current for all of its handler's work, the asynchronous rest
 * included. Vert.x makes the message's span current only while the handler runs: what the
 * handler starts (a query, a request to another service) completes later on the same Vert.x
 * context, after that, and would leave the trace. So while tracing is on, the handler runs on a
 * duplicate context of its own, which keeps the span's context to the end.
 */
public final class TracedHandler {
  private TracedHandler() {}

  public static void run(Runnable handler) {
    ContextInternal current = ContextInternal.current();
    if (!Tracing.on() || current == null) {
      handler.run();
      return;
    }
    Context trace = Context.current();
    ContextInternal own = current.duplicate();
    own.dispatch(() -> {
      // Not closed: the context is this message's alone and is dropped with its last callback.
      trace.makeCurrent();
      handler.run();
    });
  }
}

package io.dvr.store;

import io.dvr.common.tracing.Tracing;
import io.dvr.proto.v1.ResourceChanged;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

/**
 * Continues a change's trace where its outbox row is published: a span "outbox publish" child of
 * the context stored with the row, current (on a Vert.x context of its own, so it does not stay on
 * the relay's) while the event goes on the bus, whose tracer puts it into the message's headers.
 */
final class OutboxTrace {
  private OutboxTrace() {}

  static void publish(Vertx vertx, String traceparent, ResourceChanged event, Runnable publish) {
    Span span = Tracing.tracer().spanBuilder("outbox publish")
        .setParent(Tracing.fromTraceparent(traceparent))
        .setSpanKind(SpanKind.PRODUCER)
        .setAttribute("dvr.resource_type", event.getResourceType().name())
        .setAttribute("dvr.resource_id", event.getResourceId())
        .setAttribute("dvr.revision", event.getRevision())
        .setAttribute("dvr.outbox_sequence", event.getSequence())
        .startSpan();
    // Synchronous: the events of a batch leave in their order.
    ContextInternal own = ((ContextInternal) vertx.getOrCreateContext()).duplicate();
    try {
      own.dispatch(() -> {
        try (Scope ignored = Context.root().with(span).makeCurrent()) {
          publish.run();
        }
      });
    } finally {
      span.end();
    }
  }
}

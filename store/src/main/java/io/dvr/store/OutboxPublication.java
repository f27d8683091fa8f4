package io.dvr.store;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.tracing.Tracing;
import io.dvr.proto.v1.ResourceChanged;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.internal.ContextInternal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Puts one outbox event on the bus, the same way whoever publishes it (its writer right after the
 * commit, or the relay): the event as stored, numbered with its row's id ({@code sequence}) and
 * stamped with its row's commit time, in the change's trace.
 */
final class OutboxPublication {
  private OutboxPublication() {}

  static void publish(Vertx vertx, ResourceChanged event, String trace, OutboxMeters meters) {
    DeliveryOptions options = new DeliveryOptions().addHeader(EventAddresses.RESOURCE_TYPE_HEADER,
        event.getResourceType().name());
    if (Tracing.on() && !trace.isEmpty()) {
      publishInTrace(vertx, trace, event, () -> Bus.publish(vertx, EventAddresses.RESOURCE_CHANGED, event, options));
    } else {
      Bus.publish(vertx, EventAddresses.RESOURCE_CHANGED, event, options);
    }
    var at = event.getCommittedAt();
    meters.published(OffsetDateTime.ofInstant(Instant.ofEpochSecond(at.getSeconds(), at.getNanos()), ZoneOffset.UTC));
  }

  /**
   * Continues the change's trace where its row is published: a span "outbox publish", child of the
   * context stored with the row, current (on a Vert.x context of its own, so it does not stay on the
   * publisher's) while the event goes on the bus, whose tracer puts it into the message's headers.
   */
  private static void publishInTrace(Vertx vertx, String traceparent, ResourceChanged event, Runnable publish) {
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

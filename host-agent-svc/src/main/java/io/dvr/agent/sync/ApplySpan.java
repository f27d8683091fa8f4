package io.dvr.agent.sync;

import io.dvr.common.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The span of one apply on a host: a child of the latest traced change it carries out (a routers
 * change, an ARP update, a peer's MAC or tunnel endpoint), linked to the earlier ones merged into it.
 * An apply no traced change asked for (a resync, a plugged VM) makes no span.
 */
final class ApplySpan {
  private static final ApplySpan NONE = new ApplySpan(null);
  private final Span span;

  private ApplySpan(Span span) {
    this.span = span;
  }

  static ApplySpan start(String host, Set<String> changedRouters, List<SpanContext> causes) {
    if (causes.isEmpty()) {
      return NONE;
    }
    SpanBuilder builder = Tracing.tracer().spanBuilder("apply " + host)
        .setParent(Context.root().with(Span.wrap(causes.get(causes.size() - 1))))
        .setAttribute("dvr.host", host)
        .setAttribute("dvr.routers", changedRouters.isEmpty() ? "all" : String.join(",", new TreeSet<>(changedRouters)));
    causes.stream().limit(causes.size() - 1).forEach(builder::addLink);
    return new ApplySpan(builder.startSpan());
  }

  void applied(int operations) {
    if (span != null) {
      span.setAttribute("dvr.operations", operations);
      span.end();
    }
  }

  void failed(Throwable err) {
    if (span != null) {
      span.setStatus(StatusCode.ERROR, String.valueOf(err.getMessage()));
      span.end();
    }
  }
}

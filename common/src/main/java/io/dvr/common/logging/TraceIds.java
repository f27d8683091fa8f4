package io.dvr.common.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.dvr.common.tracing.Tracing;
import io.opentelemetry.api.trace.SpanContext;
import java.util.Optional;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Puts the current trace's id into the MDC ({@code trace_id}) as a line is logged, while tracing
 * is on: the trace follows Vert.x contexts, so it is read at each line rather than set around
 * handlers. Filters nothing.
 */
public final class TraceIds extends TurboFilter {
  /** Whether this thread's {@code trace_id} was put here (and not by {@link LogFields}). */
  private static final ThreadLocal<Boolean> PUT_HERE = ThreadLocal.withInitial(() -> false);

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (!Tracing.on()) {
      return FilterReply.NEUTRAL;
    }
    Optional<SpanContext> span = Tracing.currentSpan();
    if (span.isPresent()) {
      MDC.put(LogFields.TRACE_ID, span.get().getTraceId());
      PUT_HERE.set(true);
    } else if (PUT_HERE.get()) {
      MDC.remove(LogFields.TRACE_ID);
      PUT_HERE.set(false);
    }
    return FilterReply.NEUTRAL;
  }
}

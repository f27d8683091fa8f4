package io.dvr.common.tracing;

import io.dvr.common.config.Settings;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.vertx.core.VertxBuilder;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's tracing: one OpenTelemetry (the lab runs every service in one process), or none.
 * {@link #configure} reads the settings once at start; tests {@link #use} an SDK of their own.
 */
public final class Tracing {
  private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);
  private static final String TRACEPARENT = "traceparent";
  private static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };
  private static volatile OpenTelemetry openTelemetry;

  private Tracing() {}

  /** Traces this process with the given SDK (tests: an in-memory exporter); null turns tracing off. */
  public static void use(OpenTelemetry sdk) {
    openTelemetry = sdk;
  }

  public static boolean on() {
    return openTelemetry != null;
  }

  /**
   * Turns tracing on when an OTLP endpoint is configured (and no SDK is in use yet), exporting over
   * OTLP/HTTP in batches, with the service name {@code OTEL_SERVICE_NAME} or {@code service}.
   */
  public static void configure(Settings settings, String service) {
    if (on()) {
      return;
    }
    Optional<String> endpoint = settings.find("tracing.otlp-endpoint")
        .or(() -> Optional.ofNullable(System.getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")))
        .or(() -> Optional.ofNullable(System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT")).map(e -> e.replaceAll("/$", "")
            + "/v1/traces"));
    if (endpoint.isEmpty()) {
      return;
    }
    String name = Optional.ofNullable(System.getenv("OTEL_SERVICE_NAME")).orElse(service);
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
            AttributeKey.stringKey("service.name"), name))))
        .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
            .setEndpoint(endpoint.get()).build()).build())
        .build();
    use(OpenTelemetrySdk.builder().setTracerProvider(provider)
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build());
    Runtime.getRuntime().addShutdownHook(new Thread(provider::close, "dvr-tracing-flush"));
    LOG.info("tracing: spans of {} go to {} (OTLP/HTTP)", name, endpoint.get());
  }

  /** Gives a Vert.x being built the tracer, when tracing is on. */
  public static VertxBuilder tracer(VertxBuilder builder) {
    OpenTelemetry sdk = openTelemetry;
    return sdk == null ? builder : builder.withTracer(new OpenTelemetryTracingFactory(sdk));
  }

  /** Our own spans' tracer; a no-op one while tracing is off. */
  public static Tracer tracer() {
    OpenTelemetry sdk = openTelemetry;
    return (sdk == null ? OpenTelemetry.noop() : sdk).getTracer("io.dvr");
  }

  /** The current trace context as a W3C {@code traceparent}; empty while off or outside any trace. */
  public static String currentTraceparent() {
    if (!on()) {
      return "";
    }
    Map<String, String> carrier = new HashMap<>();
    W3CTraceContextPropagator.getInstance().inject(Context.current(), carrier, Map::put);
    return carrier.getOrDefault(TRACEPARENT, "");
  }

  /** The context a {@code traceparent} names (the root context for an empty or invalid one). */
  public static Context fromTraceparent(String traceparent) {
    if (traceparent == null || traceparent.isEmpty()) {
      return Context.root();
    }
    return W3CTraceContextPropagator.getInstance().extract(Context.root(), Map.of(TRACEPARENT, traceparent), MAP);
  }

  /** The current span's context while tracing is on and a trace is current, else none. */
  public static Optional<SpanContext> currentSpan() {
    if (!on()) {
      return Optional.empty();
    }
    SpanContext span = Span.current().getSpanContext();
    return span.isValid() ? Optional.of(span) : Optional.empty();
  }
}

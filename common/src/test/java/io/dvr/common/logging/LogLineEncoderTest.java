package io.dvr.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.dvr.common.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LogLineEncoderTest {

  /** The lines a logger of a fresh logback context writes through the encoder in the given format. */
  private static List<String> write(String format, String loggerName, java.util.function.Consumer<Logger> logging) {
    LoggerContext context = new LoggerContext();
    context.addTurboFilter(new TraceIds());
    context.setMDCAdapter(org.slf4j.MDC.getMDCAdapter()); // the process MDC, which LogFields sets
    context.start();
    LogLineEncoder encoder = new LogLineEncoder();
    encoder.setContext(context);
    encoder.setFormat(format);
    encoder.start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setOutputStream(out);
    appender.start();
    Logger logger = context.getLogger(loggerName);
    logger.addAppender(appender);
    logging.accept(logger);
    appender.stop();

    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  @DisplayName("text lines begin with an ISO-8601 UTC timestamp")
  void textHasIsoTimestamps() {
    List<String> lines = write("text", "io.dvr.scheduler.Placement", log -> log.info("router {} placed", "r1"));
    assertThat(lines).hasSize(1);
    String stamp = lines.get(0).substring(0, lines.get(0).indexOf(' '));
    assertThat(stamp).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(OffsetDateTime.parse(stamp)).isNotNull();
    assertThat(lines.get(0)).endsWith("router r1 placed");
  }

  @Test
  @DisplayName("a text line is exactly what logback lays out for the text pattern, stack traces included")
  void textLinesAreThePattern() {
    LoggerContext context = new LoggerContext();
    LogLineEncoder encoder = new LogLineEncoder();
    encoder.setContext(context);
    encoder.setFormat("text");
    encoder.start();
    PatternLayout pattern = new PatternLayout();
    pattern.setContext(context);
    pattern.setPattern(LogLineEncoder.TEXT_PATTERN);
    pattern.start();
    IllegalStateException failure = new IllegalStateException("apply failed", new java.io.IOException("exit 2"));
    failure.addSuppressed(new IllegalArgumentException("second"));
    List<LoggingEvent> events = List.of(
        event(context, "io.dvr.agent.sync.DvrMacClaim", Level.WARN, "host fp1: retrying", null, "vert.x-eventloop-thread-0"),
        event(context, "io.netty.resolver.dns.DnsServerAddressStreamProviders", Level.ERROR, "no {}", null, "main"),
        event(context, "dvr.audit", Level.INFO, "CreatePort p1 by alice (project p1): OK", null, "vert.x-worker-thread-3"),
        event(context, "Short", Level.DEBUG, "two\nlines", null, "t"),
        event(context, "io.dvr.common.ServiceMain", Level.TRACE, "ü and 日本", null, "t"),
        event(context, "io.dvr.agent.HostPipeline", Level.ERROR, "apply of router r1 failed", failure, "w"));
    for (LoggingEvent event : events) {
      assertThat(new String(encoder.encode(event), StandardCharsets.UTF_8)).isEqualTo(pattern.doLayout(event));
    }
  }

  private static LoggingEvent event(LoggerContext context, String logger, Level level, String message, Throwable error,
      String thread) {
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), context.getLogger(logger), level, message, error,
        new Object[] {"args"});
    event.setThreadName(thread);
    return event;
  }

  @Test
  @DisplayName("JSON lines are one object each, with the service, the DVR fields set around the handler, key-value pairs and the error")
  void jsonLinesCarryTheFields() {
    List<String> lines = write("json", "io.dvr.agent.HostPipeline", log -> {
      LogFields.within(Map.of(LogFields.HOST, "compute1", LogFields.ROUTER, "r-1", LogFields.PORT, "p-1",
          LogFields.REVISION, "7", LogFields.TRACE_ID, "0af7651916cd43dd8448eb211c80319c"), () ->
          log.atWarn().addKeyValue("operations", 3).log("apply \"failed\"\nsecond line", new IllegalStateException("boom")));
      log.info("outside the handler");
    });
    assertThat(lines).hasSize(2);
    JsonObject first = new JsonObject(lines.get(0));
    assertThat(OffsetDateTime.parse(first.getString("time"))).isNotNull();
    assertThat(first.getString("level")).isEqualTo("WARN");
    assertThat(first.getString("service")).isEqualTo("host-agent-svc");
    assertThat(first.getString("logger")).isEqualTo("io.dvr.agent.HostPipeline");
    assertThat(first.getString("host")).isEqualTo("compute1");
    assertThat(first.getString("router")).isEqualTo("r-1");
    assertThat(first.getString("port")).isEqualTo("p-1");
    assertThat(first.getString("revision")).isEqualTo("7");
    assertThat(first.getString("trace_id")).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(first.getString("operations")).isEqualTo("3");
    assertThat(first.getString("message")).isEqualTo("apply \"failed\"\nsecond line");
    assertThat(first.getString("error")).contains("IllegalStateException: boom");
    JsonObject second = new JsonObject(lines.get(1));
    assertThat(second.getString("message")).isEqualTo("outside the handler");
    assertThat(second.fieldNames()).doesNotContain("host", "router", "port", "revision", "trace_id");
  }

  @Test
  @DisplayName("a line of shared code or a library names the process's service; an MDC service wins")
  void serviceOfSharedCode() {
    ServiceNames.process("scheduler");
    try {
      List<String> lines = write("json", "io.dvr.store.OutboxRelay", log -> {
        log.info("shared");
        LogFields.within(LogFields.SERVICE, "arp-svc", () -> log.info("named"));
      });
      assertThat(new JsonObject(lines.get(0)).getString("service")).isEqualTo("scheduler");
      assertThat(new JsonObject(lines.get(1)).getString("service")).isEqualTo("arp-svc");
    } finally {
      ServiceNames.process("dvr");
    }
  }

  @Test
  @DisplayName("while tracing is on, a line logged in a span carries its trace id; one outside any span none")
  void traceIdOfTheCurrentSpan() {
    Tracing.use(OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(InMemorySpanExporter.create())).build()).build());
    try {
      Span span = Tracing.tracer().spanBuilder("work").startSpan();
      List<String> lines = write("json", "io.dvr.scheduler.SchedulerService", log -> {
        try (Scope ignored = span.makeCurrent()) {
          log.info("in the span");
        }
        log.info("after it");
      });
      span.end();
      assertThat(new JsonObject(lines.get(0)).getString("trace_id")).isEqualTo(span.getSpanContext().getTraceId());
      assertThat(new JsonObject(lines.get(1)).fieldNames()).doesNotContain("trace_id");
    } finally {
      Tracing.use(null);
    }
  }

  @Test
  @DisplayName("log.format picks JSON when the encoder names no format")
  void formatFromSettings() {
    System.setProperty("dvr.log.format", "json");
    try {
      List<String> lines = write(null, "io.dvr.gateway.ApiGateway", log -> log.info("up"));
      assertThat(new JsonObject(lines.get(0)).getString("service")).isEqualTo("api-gateway");
    } finally {
      System.clearProperty("dvr.log.format");
    }
  }
}

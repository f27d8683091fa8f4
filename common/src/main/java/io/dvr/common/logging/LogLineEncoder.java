package io.dvr.common.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.pattern.ExtendedThrowableProxyConverter;
import ch.qos.logback.classic.pattern.LoggerConverter;
import ch.qos.logback.classic.pattern.ThrowableHandlingConverter;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.encoder.EncoderBase;
import io.dvr.common.config.Settings;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * Encodes each log line as text with an ISO-8601 UTC timestamp (the default) or, with {@code
 * log.format=json} ({@code DVR_LOG_FORMAT=json}), as one JSON object per line: {@code time},
 * {@code level}, {@code logger}, {@code thread}, {@code message}, the service the line comes from,
 * the DVR fields of the MDC ({@link LogFields}), the line's key-value pairs (audit lines) and
 * {@code error} (the stack trace) when there is one.
 */
public final class LogLineEncoder extends EncoderBase<ILoggingEvent> {
  /** The logback pattern a text line equals (written out in {@link #textLine}; the test compares). */
  static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX, UTC} %-5level [%thread] %logger{20} - %msg%n";
  private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
      .withZone(ZoneOffset.UTC);
  /** The MDC fields a JSON line carries, in this order. */
  private static final List<String> FIELDS = List.of(LogFields.HOST, LogFields.ROUTER, LogFields.PORT,
      LogFields.REVISION, LogFields.TRACE_ID);

  /** {@code text} or {@code json}; unset: the {@code log.format} setting. */
  private String format;
  /** The text line's parts that are not plain: {@code %logger{20}} and the stack trace. */
  private LoggerConverter loggerName;
  private ThrowableHandlingConverter error;

  public void setFormat(String format) {
    this.format = format;
  }

  boolean json() {
    return "json".equalsIgnoreCase(format);
  }

  @Override
  public void start() {
    if (format == null) {
      format = Settings.fromEnvironment().get("log.format", "text");
    }
    if (!json()) {
      loggerName = new LoggerConverter();
      loggerName.setOptionList(List.of("20"));
      // What a PatternLayout appends to a pattern that prints no stack trace of its own.
      error = getContext() instanceof LoggerContext logback && logback.isPackagingDataEnabled()
          ? new ExtendedThrowableProxyConverter() : new ThrowableProxyConverter();
      for (var part : List.of(loggerName, error)) {
        part.setContext(getContext());
        part.start();
      }
    }
    super.start();
  }

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    String line = json() ? jsonLine(event) : textLine(event);
    return line.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The line {@link #TEXT_PATTERN} gives, written out here: a PatternLayout would load logback's
   * pattern parser and its table of every converter (some 150 classes) for these five fields.
   */
  private String textLine(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(128);
    line.append(ISO.format(Instant.ofEpochMilli(event.getTimeStamp()))).append(' ');
    String level = event.getLevel().toString();
    line.append(level);
    for (int pad = level.length(); pad < 5; pad++) {
      line.append(' ');
    }
    line.append(" [").append(event.getThreadName()).append("] ")
        .append(loggerName.convert(event)).append(" - ")
        .append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
    if (event.getThrowableProxy() != null) {
      line.append(error.convert(event));
    }
    return line.toString();
  }

  static String jsonLine(ILoggingEvent event) {
    JsonLine json = new JsonLine()
        .field("time", ISO.format(Instant.ofEpochMilli(event.getTimeStamp())))
        .field("level", event.getLevel().toString())
        .field("service", ServiceNames.of(event.getLoggerName(), event.getMDCPropertyMap()))
        .field("logger", event.getLoggerName())
        .field("thread", event.getThreadName());
    Map<String, String> mdc = event.getMDCPropertyMap();
    for (String key : FIELDS) {
      json.field(key, mdc.get(key));
    }
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs != null) {
      for (KeyValuePair pair : pairs) {
        json.field(pair.key, pair.value == null ? null : String.valueOf(pair.value));
      }
    }
    json.field("message", event.getFormattedMessage());
    if (event.getThrowableProxy() != null) {
      json.field("error", ThrowableProxyUtil.asString(event.getThrowableProxy()));
    }
    return json.end() + CoreConstants.LINE_SEPARATOR;
  }
}

package io.dvr.common.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;
import java.util.Optional;

/**
 * The logging of every service process, built in code: one console appender on stdout through
 * {@link LogLineEncoder}, {@link TraceIds} on every line, quiet libraries, the root level from
 * {@code DVR_LOG_LEVEL} (default {@code INFO}). Built in code rather than read from a logback.xml
 * because reading the XML loads logback's configuration interpreter and an XML parser (some 600
 * classes, kept for the life of the process) to set up these few objects, which a host agent pays
 * for on every host.
 *
 * <p>Steps aside for a configuration file: one named with {@code -Dlogback.configurationFile}, or a
 * {@code logback-test.xml} on the class path (tests); logback then reads that file as usual.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class ProcessLogging extends ContextAwareBase implements Configurator {
  /** Loggers set apart from the root's level, by name. */
  static final Map<String, Level> LEVELS = Map.of(
      "com.hazelcast", Level.WARN,
      "io.zonky", Level.WARN,
      "io.netty", Level.WARN,
      // Vert.x registers its connection gauges once per client; the repeat is harmless.
      "io.micrometer.core.instrument.MeterRegistry", Level.ERROR,
      // One line per mutating API call (who, what, result); route or silence it by this name.
      "dvr.audit", Level.INFO);
  static final String ROOT_LEVEL = "DVR_LOG_LEVEL";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty(ContextInitializer.CONFIG_FILE_PROPERTY) != null
        || ProcessLogging.class.getClassLoader().getResource(ContextInitializer.TEST_AUTOCONFIG_FILE) != null) {
      addInfo("a logback configuration file is given; it configures logging");
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    TraceIds traceIds = new TraceIds();
    traceIds.setContext(context);
    traceIds.start();
    context.addTurboFilter(traceIds);

    LogLineEncoder encoder = new LogLineEncoder();
    encoder.setContext(context);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
    stdout.setContext(context);
    stdout.setName("STDOUT");
    stdout.setEncoder(encoder);
    stdout.start();

    LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    rootLevel(System.getProperty(ROOT_LEVEL, System.getenv(ROOT_LEVEL))).ifPresent(root::setLevel);
    root.addAppender(stdout);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * The root level a value of {@code DVR_LOG_LEVEL} sets, as logback reads {@code
   * ${DVR_LOG_LEVEL:-INFO}}: unset is INFO, blank leaves logback's default, a name that is no
   * level is DEBUG.
   */
  static Optional<Level> rootLevel(String value) {
    if (value == null) {
      return Optional.of(Level.INFO);
    }
    return value.isBlank() ? Optional.empty() : Optional.of(Level.toLevel(value));
  }
}

package io.dvr.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProcessLoggingTest {

  /** What a fresh logback context configured by {@link ProcessLogging} writes to stdout. */
  private static List<String> stdout(java.util.function.Consumer<LoggerContext> logging) {
    PrintStream before = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(org.slf4j.MDC.getMDCAdapter());
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      ProcessLogging configurator = new ProcessLogging();
      configurator.setContext(context);
      assertThat(configurator.configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
      context.start();
      logging.accept(context);
      context.stop();
    } finally {
      System.setOut(before);
    }
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  @DisplayName("logback finds the process's logging as a service, so no logback.xml is read")
  void foundAsAService() {
    assertThat(ServiceLoader.load(Configurator.class).stream().map(ServiceLoader.Provider::type))
        .contains(ProcessLogging.class);
  }

  @Test
  @DisplayName("with log.format=json a service's line on stdout is the project's JSON line, with the DVR fields")
  void jsonLinesOnStdout() {
    System.setProperty("dvr.log.format", "json");
    try {
      List<String> lines = stdout(context -> LogFields.within(Map.of(LogFields.HOST, "compute1",
          LogFields.ROUTER, "r-1"), () -> context.getLogger("io.dvr.agent.HostPipeline").warn("apply failed",
          new IllegalStateException("boom"))));
      assertThat(lines).hasSize(1);
      JsonObject line = new JsonObject(lines.get(0));
      assertThat(OffsetDateTime.parse(line.getString("time"))).isNotNull();
      assertThat(line.getString("level")).isEqualTo("WARN");
      assertThat(line.getString("service")).isEqualTo("host-agent-svc");
      assertThat(line.getString("logger")).isEqualTo("io.dvr.agent.HostPipeline");
      assertThat(line.getString("host")).isEqualTo("compute1");
      assertThat(line.getString("router")).isEqualTo("r-1");
      assertThat(line.getString("message")).isEqualTo("apply failed");
      assertThat(line.getString("error")).contains("IllegalStateException: boom");
    } finally {
      System.clearProperty("dvr.log.format");
    }
  }

  @Test
  @DisplayName("by default a line on stdout is the ISO text line; libraries are quiet below their level")
  void textLinesAndLevels() {
    System.setProperty(ProcessLogging.ROOT_LEVEL, "INFO"); // as unset; read before the environment
    List<String> lines;
    try {
      lines = stdout(context -> {
      context.getLogger("io.dvr.scheduler.Placement").info("router {} placed", "r1");
      context.getLogger("io.netty.channel.Nio").info("not shown");
      context.getLogger("com.hazelcast.Cluster").info("not shown");
      context.getLogger("io.dvr.scheduler.Placement").debug("not shown");
      context.getLogger("dvr.audit").info("CreatePort p1 by alice (project p1): OK");
      });
    } finally {
      System.clearProperty(ProcessLogging.ROOT_LEVEL);
    }
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  \\[.*\\] "
        + "i\\.d\\.s\\.Placement - router r1 placed");
    assertThat(lines.get(1)).endsWith("INFO  [" + Thread.currentThread().getName()
        + "] dvr.audit - CreatePort p1 by alice (project p1): OK");
  }

  @Test
  @DisplayName("the levels logback.xml set: libraries quieted, audit at INFO, the root from DVR_LOG_LEVEL")
  void levels() {
    LoggerContext context = new LoggerContext();
    ProcessLogging logging = new ProcessLogging();
    logging.setContext(context);
    logging.configure(context);
    assertThat(context.getLogger("com.hazelcast").getLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("io.zonky").getLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("io.micrometer.core.instrument.MeterRegistry").getLevel()).isEqualTo(Level.ERROR);
    assertThat(context.getLogger("dvr.audit").getLevel()).isEqualTo(Level.INFO);
    assertThat(context.getTurboFilterList()).hasExactlyElementsOfTypes(TraceIds.class);
    assertThat(ProcessLogging.rootLevel(null)).contains(Level.INFO);
    assertThat(ProcessLogging.rootLevel("debug")).contains(Level.DEBUG);
    assertThat(ProcessLogging.rootLevel("WARN")).contains(Level.WARN);
    assertThat(ProcessLogging.rootLevel(" ")).isEmpty();
    assertThat(ProcessLogging.rootLevel("loud")).contains(Level.DEBUG);
  }

  @Test
  @DisplayName("a configuration file named with logback.configurationFile is read instead")
  void stepsAsideForAFile() {
    System.setProperty("logback.configurationFile", "elsewhere.xml");
    try {
      LoggerContext context = new LoggerContext();
      ProcessLogging logging = new ProcessLogging();
      logging.setContext(context);
      assertThat(logging.configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
      assertThat(context.getTurboFilterList()).isEmpty();
    } finally {
      System.clearProperty("logback.configurationFile");
    }
  }
}

package io.dvr.common.logging;

import java.util.Map;

/**
 * Which service a log line comes from: the MDC's {@code service} when set, else the service whose
 * package the logger is in (the lab runs every service in one process), else the process's own.
 */
public final class ServiceNames {
  private static final Map<String, String> PACKAGES = Map.of(
      "io.dvr.gateway.", "api-gateway",
      "io.dvr.scheduler.", "scheduler-svc",
      "io.dvr.macalloc.", "mac-allocator-svc",
      "io.dvr.arp.", "arp-svc",
      "io.dvr.agent.", "host-agent-svc",
      "io.dvr.lab.", "lab");
  private static volatile String process = "dvr";

  private ServiceNames() {}

  /** The service this process runs (set once at start); lines of shared code and libraries carry it. */
  public static void process(String service) {
    process = service;
  }

  public static String process() {
    return process;
  }

  static String of(String logger, Map<String, String> mdc) {
    String named = mdc.get(LogFields.SERVICE);
    if (named != null) {
      return named;
    }
    for (Map.Entry<String, String> p : PACKAGES.entrySet()) {
      if (logger.startsWith(p.getKey())) {
        return p.getValue();
      }
    }
    return process;
  }
}

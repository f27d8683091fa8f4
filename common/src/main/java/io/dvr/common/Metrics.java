package io.dvr.common;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prometheus registries. The process's ({@link #registry()}): the JVM, Vert.x (HTTP servers, event
 * bus, pools), the event bus's and the outbox's meters, shared by whatever runs in the process. Each
 * service's own ({@link #service(String)}, by the name of its identity: {@code api-gateway},
 * {@code scheduler-svc}, {@code host-<host>}): its RPCs and its DVR meters. A service's port serves
 * both ({@link #scrape(String)}), so in the all-in-one lab each port shows its own service's meters,
 * not those of the services beside it in the JVM.
 */
public final class Metrics {
  private static final PrometheusMeterRegistry REGISTRY = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private static final Map<String, PrometheusMeterRegistry> SERVICES = new ConcurrentHashMap<>();

  private Metrics() {}

  public static PrometheusMeterRegistry registry() {
    return REGISTRY;
  }

  /** The meters of one service of the process, kept across its restarts in the process. */
  public static PrometheusMeterRegistry service(String name) {
    return SERVICES.computeIfAbsent(name, n -> new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  /** What the service's {@code /metrics} shows: its own meters, then the process's (no name is in both). */
  public static String scrape(String service) {
    return service(service).scrape() + REGISTRY.scrape();
  }

  /** The name of a host agent's registry. */
  public static String hostAgent(String host) {
    return "host-" + host;
  }
}

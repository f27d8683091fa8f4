package io.dvr.common;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The process's Prometheus registry: Vert.x metrics (HTTP/gRPC, event bus, pools) and our own meters. */
public final class Metrics {
  private static final PrometheusMeterRegistry REGISTRY = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private Metrics() {}

  public static PrometheusMeterRegistry registry() {
    return REGISTRY;
  }
}

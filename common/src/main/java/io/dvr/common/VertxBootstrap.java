package io.dvr.common;

import io.dvr.common.config.Settings;
import io.dvr.common.logging.ServiceNames;
import io.dvr.common.tracing.Tracing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;

/**
 * Creates the Vert.x instance of a process: Prometheus metrics always (the JVM's unless {@code
 * metrics.jvm=false}); a Hazelcast-clustered event bus when {@code cluster.enabled} ({@link
 * ClusterBootstrap}), else a local one. Traced when tracing is on ({@link Tracing}).
 *
 * <p>This class names no Hazelcast type: a process on a local bus (a host agent attached to a
 * relay) loads no Hazelcast class, and runs from a class path without it.
 */
public final class VertxBootstrap {
  /**
   * The longest a name's address is kept, whatever TTL the DNS server gave. A peer reached by name
   * (a relay, api-gateway) that is replaced comes back at another address (a container started
   * again, a pod moved), and container DNS servers give long TTLs (podman's aardvark-dns 1.4: a
   * day): with the default cache (the answer's own TTL) an agent would try the old address all that
   * time. Names are looked up only when a connection is made, so a short cache costs little.
   */
  static final int DNS_CACHE_MAX_SECONDS = 5;

  /** The class a clustered process needs first, as a resource: looking it up loads no class. */
  private static final String HAZELCAST_CLUSTER_MANAGER = "io/vertx/spi/cluster/hazelcast/HazelcastClusterManager.class";

  private VertxBootstrap() {}

  /** How the process resolves names: the system's servers, answers kept {@link #DNS_CACHE_MAX_SECONDS} at most. */
  static AddressResolverOptions addressResolver() {
    return new AddressResolverOptions().setCacheMaxTimeToLive(DNS_CACHE_MAX_SECONDS);
  }

  public static Future<Vertx> start(Settings settings) {
    VertxOptions options = new VertxOptions().setMetricsOptions(metricsOptions(settings))
        .setAddressResolverOptions(addressResolver());
    MicrometerMetricsFactory metrics = new MicrometerMetricsFactory(Metrics.registry());
    Tracing.configure(settings, ServiceNames.process());
    if (settings.getBoolean("cluster.enabled", false)) {
      if (!clusterAvailable()) {
        return Future.failedFuture(new IllegalStateException("setting cluster.enabled ("
            + Settings.envName("cluster.enabled") + ") is true, but this process's class path has no Hazelcast "
            + "(io.vertx:vertx-hazelcast): it cannot join the cluster"));
      }
      return ClusterBootstrap.start(settings, options, metrics);
    }
    return Future.succeededFuture(LocalServiceProviders.whileBuilding(
        () -> Tracing.tracer(Vertx.builder().with(options).withMetrics(metrics)).build()));
  }

  /**
   * Whether this process can join the cluster: Vert.x's Hazelcast cluster manager is on its class
   * path (the host agent's relay-only jar leaves it and Hazelcast out).
   */
  public static boolean clusterAvailable() {
    return VertxBootstrap.class.getClassLoader().getResource(HAZELCAST_CLUSTER_MANAGER) != null;
  }

  /**
   * Vert.x's meters always; the JVM's (memory, GC, threads, classes) unless {@code metrics.jvm} is
   * false: their binders load JMX and about 300 classes, about 2 MB of a host agent's resident
   * memory (docs/benchmarks.md, "One host agent's footprint").
   */
  static MicrometerMetricsOptions metricsOptions(Settings settings) {
    return new MicrometerMetricsOptions().setEnabled(true)
        .setJvmMetricsEnabled(settings.getBoolean("metrics.jvm", true));
  }
}

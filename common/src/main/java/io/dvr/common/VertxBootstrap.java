package io.dvr.common;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.dvr.common.bus.InFlightRequests;
import io.dvr.common.cluster.BusSecurity;
import io.dvr.common.config.Settings;
import io.dvr.common.logging.ServiceNames;
import io.dvr.common.tracing.Tracing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import java.util.List;

/**
 * Creates the Vert.x instance of a process: Prometheus metrics always (the JVM's unless {@code
 * metrics.jvm=false}); a Hazelcast-clustered
 * event bus when {@code cluster.enabled} (TCP-IP member list from {@code cluster.members}, no
 * multicast), else a local one. The clustered bus runs TLS with client certificates and routes
 * only to members with a signed record ({@link BusSecurity}), unless {@code insecure}. Traced when
 * tracing is on ({@link Tracing}).
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
    if (!settings.getBoolean("cluster.enabled", false)) {
      return Future.succeededFuture(Tracing.tracer(Vertx.builder().with(options).withMetrics(metrics)).build());
    }
    String host = settings.get("cluster.host", "127.0.0.1");
    BusSecurity security;
    try {
      security = BusSecurity.from(settings);
    } catch (IllegalStateException missingMaterial) {
      return Future.failedFuture(missingMaterial);
    }
    options.setEventBusOptions(eventBusOptions(settings, security, host));
    ClusterMembers members = new ClusterMembers(hazelcastConfig(settings, host));
    return Tracing.tracer(Vertx.builder()
        .with(options)
        .withMetrics(metrics))
        .withClusterManager(security.clusterManager(members))
        .buildClustered()
        // A request held by a member that died is sent again, not left to its time limit.
        .onSuccess(vertx -> members.onMemberLeft(() -> InFlightRequests.of(vertx).memberLeft()));
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

  /** Where the bus listens, with TLS and client authentication unless insecure. */
  static EventBusOptions eventBusOptions(Settings settings, BusSecurity security, String host) {
    return security.eventBusOptions()
        .setHost(host)
        .setPort(settings.getInt("cluster.bus-port", 0));
  }

  static Config hazelcastConfig(Settings settings, String host) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(settings.get("cluster.name", "dvr"));
    // Host agents join as lite members: on the event bus, holding no cluster data partitions.
    config.setLiteMember(settings.getBoolean("cluster.lite-member", false));
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.max.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.getNetworkConfig().setPort(settings.getInt("cluster.port", 5701)).setPortAutoIncrement(true);
    // Bind to cluster.host only (never every interface) and announce it, unless a public address
    // is given. Not through `interfaces`: with it enabled Hazelcast also drops every member whose
    // host name resolves to an address outside that list, i.e. every other container.
    config.setProperty("hazelcast.local.localAddress", host);
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.getNetworkConfig().getInterfaces().setEnabled(false);
    config.getNetworkConfig().setPublicAddress(settings.get("cluster.public-address", null));
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    List<String> members = settings.getList("cluster.members", List.of(host));
    join.getTcpIpConfig().setEnabled(true).setMembers(members);
    return config;
  }
}

package io.dvr.common;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.dvr.common.bus.InFlightRequests;
import io.dvr.common.cluster.BusSecurity;
import io.dvr.common.config.Settings;
import io.dvr.common.tracing.Tracing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import java.util.List;

/**
 * The clustered Vert.x of a process with {@code cluster.enabled}: a Hazelcast member (TCP-IP
 * member list from {@code cluster.members}, no multicast) whose event bus runs TLS with client
 * certificates and routes only to members with a signed record ({@link BusSecurity}), unless
 * {@code insecure}.
 *
 * <p>Every Hazelcast type the project's bootstrap names is named here and only here (and in the
 * cluster package it uses), so that a process that joins no cluster never loads this class and
 * with it no Hazelcast class: a host agent attached to a relay runs from a jar without Hazelcast
 * ({@link VertxBootstrap#clusterAvailable}).
 */
final class ClusterBootstrap {
  private ClusterBootstrap() {}

  static Future<Vertx> start(Settings settings, VertxOptions options, MicrometerMetricsFactory metrics) {
    String host = settings.get("cluster.host", "127.0.0.1");
    BusSecurity security;
    try {
      security = BusSecurity.from(settings);
    } catch (IllegalStateException missingMaterial) {
      return Future.failedFuture(missingMaterial);
    }
    options.setEventBusOptions(eventBusOptions(settings, security, host));
    Config hazelcast;
    try {
      hazelcast = hazelcastConfig(settings, host);
    } catch (IllegalArgumentException badSetting) {
      return Future.failedFuture(badSetting);
    }
    ClusterMembers members = new ClusterMembers(hazelcast);
    return Tracing.tracer(Vertx.builder()
        .with(options)
        .withMetrics(metrics))
        .withClusterManager(security.clusterManager(members))
        .buildClustered()
        // A request held by a member that died is sent again, not left to its time limit.
        .onSuccess(vertx -> members.onMemberLeft(() -> InFlightRequests.of(vertx).memberLeft()));
  }

  /** Where the bus listens, with TLS and client authentication unless insecure. */
  static EventBusOptions eventBusOptions(Settings settings, BusSecurity security, String host) {
    return security.eventBusOptions()
        .setHost(host)
        .setPort(settings.getInt("cluster.bus-port", 0));
  }

  /**
   * How long a member waits for a TCP connection to another to be established. Hazelcast 5.3's
   * default is 10 s, and it removes a member whose address stops answering (a container stopped:
   * connects time out, none are refused) once its connection monitor has counted a few errors in
   * a row ({@code hazelcast.connection.monitor.max.faults}; the log says "Error-Count: 5"): some
   * 30 s during which the partitions the dead member owned, the bus's registrations among them,
   * cannot be written. 3 s makes that about 12 s (compose: 12.4 s, docs/benchmarks.md). A
   * connect to a live member completes in its kernel whatever its JVM
   * is doing (a GC pause or a starved CPU does not delay the handshake), and 3 s leaves room for
   * one lost SYN (Linux sends it again after 1 s); a success resets the count, so a live member is
   * removed this way only after several lost handshakes in a row, i.e. when it is unreachable.
   */
  static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 3;
  /**
   * How often a member sends its heartbeat to every other (Hazelcast: 5 s). At 1 s the deadline
   * below allows many heartbeats in a row to be late, not two or three; for a cluster of a few
   * members the traffic is negligible.
   */
  static final int DEFAULT_HEARTBEAT_INTERVAL_SECONDS = 1;
  /**
   * How long a member may send no heartbeat before it is suspected and removed (Hazelcast: 60 s).
   * This detects a member whose connection stays open but silent (a host lost without its
   * connections being closed), where no connect fails. 15 s is far above the GC pauses of these
   * JVMs (tens to hundreds of milliseconds, docs/benchmarks.md) and survives a member starved of
   * CPU for seconds; a member that paused itself does not suspect the others on waking (Hazelcast resets
   * its heartbeat timestamps when its own clock jumped).
   */
  static final int DEFAULT_MAX_NO_HEARTBEAT_SECONDS = 15;

  static Config hazelcastConfig(Settings settings, String host) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(settings.get("cluster.name", "dvr"));
    // Host agents join as lite members: on the event bus, holding no cluster data partitions.
    config.setLiteMember(settings.getBoolean("cluster.lite-member", false));
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.max.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.logging.type", "slf4j");
    failureDetection(settings, config);
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

  /**
   * How soon a member that died without leaving is removed: until then, writes to the partitions
   * it owned wait (a Vert.x registration among them, and with it the rest of its context's
   * registrations). See the defaults above for the values and why.
   */
  static void failureDetection(Settings settings, Config config) {
    int connectTimeout = atLeastOne(settings, "cluster.connect-timeout-seconds", DEFAULT_CONNECT_TIMEOUT_SECONDS);
    int heartbeatInterval = atLeastOne(settings, "cluster.heartbeat-interval-seconds", DEFAULT_HEARTBEAT_INTERVAL_SECONDS);
    int maxNoHeartbeat = atLeastOne(settings, "cluster.max-no-heartbeat-seconds", DEFAULT_MAX_NO_HEARTBEAT_SECONDS);
    if (maxNoHeartbeat <= heartbeatInterval) {
      throw new IllegalArgumentException("setting cluster.max-no-heartbeat-seconds ("
          + Settings.envName("cluster.max-no-heartbeat-seconds") + ") is " + maxNoHeartbeat
          + ": it must be longer than cluster.heartbeat-interval-seconds (" + heartbeatInterval
          + "), else every member is suspected between two heartbeats");
    }
    config.setProperty("hazelcast.socket.connect.timeout.seconds", String.valueOf(connectTimeout));
    config.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(heartbeatInterval));
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(maxNoHeartbeat));
  }

  /** A whole number of seconds, at least 1 (a connect time-out of 0 would be none at all to Hazelcast). */
  private static int atLeastOne(Settings settings, String key, int defaultValue) {
    int value = settings.getInt(key, defaultValue);
    if (value < 1) {
      throw new IllegalArgumentException("setting " + key + " (" + Settings.envName(key) + ") is "
          + value + ": it must be a whole number of seconds, at least 1");
    }
    return value;
  }
}

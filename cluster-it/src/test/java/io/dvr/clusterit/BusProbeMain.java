package io.dvr.clusterit;

import com.hazelcast.config.Config;
import io.dvr.common.VertxBootstrap;
import io.dvr.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PfxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test-only process: a member of the clustered event bus that says on stdout what it sends and
 * receives, for the bus security tests. Roles ({@code DVR_PROBE_ROLE}, several with commas):
 * {@code serve} answers requests on {@value #ECHO} with its name and logs every publish on
 * {@value #NEWS} it gets; {@code client} asks {@value #ECHO} every {@code DVR_PROBE_EVERY_MS} and
 * publishes on {@value #NEWS} every tenth time; {@code bench} measures request/reply on {@value #ECHO}
 * ({@link BusLatencyBench}). {@code DVR_PROBE_BUS=nocert} joins with TLS that
 * trusts the cluster CA but shows no certificate (Vert.x's plain Hazelcast cluster manager);
 * otherwise it starts as the services do ({@link VertxBootstrap}) with its DVR_ settings.
 *
 * <p>Lines: {@code SERVED <request> by=<me>}, {@code NEWS <publish>}, {@code ANSWER <seq> by=<server>},
 * {@code FAILED <seq> <why>}, {@code PUBLISHED <seq>}; a request or publish reads {@code <sender>:<seq>}.
 */
public final class BusProbeMain {
  static final String ECHO = "probe.echo";
  static final String NEWS = "probe.news";

  private BusProbeMain() {}

  public static void main(String[] args) {
    Settings settings = Settings.fromEnvironment();
    String name = settings.get("probe.name", "probe");
    var roles = Arrays.asList(settings.get("probe.role", "serve").split(","));
    Future<Vertx> started = "nocert".equals(settings.get("probe.bus", "bootstrap")) ? withoutCertificate(settings)
        : VertxBootstrap.start(settings);
    started.onFailure(err -> {
      err.printStackTrace();
      System.exit(1);
    }).onSuccess(vertx -> {
      if (roles.contains("serve")) {
        boolean quiet = settings.getBoolean("probe.quiet", false);
        vertx.eventBus().<String>consumer(ECHO, msg -> {
          if (!quiet) {
            say("SERVED " + msg.body() + " by=" + name);
          }
          msg.reply(name);
        });
        vertx.eventBus().<String>consumer(NEWS, msg -> say("NEWS " + msg.body()));
      }
      say("JOINED " + name);
      if (roles.contains("bench")) {
        BusLatencyBench.measure(vertx, settings);
      }
      if (roles.contains("client")) {
        AtomicLong seq = new AtomicLong();
        long timeout = settings.getLong("probe.timeout-ms", 2000);
        vertx.setPeriodic(settings.getLong("probe.every-ms", 25), t -> {
          long n = seq.incrementAndGet();
          vertx.eventBus().<String>request(ECHO, name + ":" + n, new DeliveryOptions().setSendTimeout(timeout))
              .onSuccess(reply -> say("ANSWER " + n + " by=" + reply.body()))
              .onFailure(err -> say("FAILED " + n + " " + err.getMessage()));
          if (n % 10 == 0) {
            vertx.eventBus().publish(NEWS, name + ":" + n);
            say("PUBLISHED " + n);
          }
        });
      }
    });
  }

  private static Future<Vertx> withoutCertificate(Settings settings) {
    String host = settings.get("cluster.host", "127.0.0.1");
    Config config = ConfigUtil.loadConfig().setClusterName(settings.get("cluster.name", "dvr"));
    config.getNetworkConfig().setPort(settings.getInt("cluster.port", 5701)).setPortAutoIncrement(true);
    config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true)
        .setMembers(settings.getList("cluster.members", java.util.List.of(host)));
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    EventBusOptions bus = new EventBusOptions().setHost(host).setSsl(true).setTrustAll(false)
        .setClientAuth(ClientAuth.REQUIRED)
        .setTrustOptions(new PfxOptions().setPath(settings.get("cluster.tls.truststore", ""))
            .setPassword(settings.get("cluster.tls.password", "")));
    return Vertx.builder().with(new VertxOptions().setEventBusOptions(bus))
        .withClusterManager(new HazelcastClusterManager(config)).buildClustered();
  }

  private static void say(String line) {
    System.out.println(line);
  }
}

package io.dvr.common;

import io.dvr.common.cluster.BusSecurity;
import io.dvr.common.config.Settings;
import io.dvr.common.grpc.ServiceEndpoint;
import io.dvr.common.logging.ServiceNames;
import io.dvr.common.security.GrpcTls;
import io.dvr.common.security.Identity;
import io.dvr.common.security.Insecure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.grpc.server.Service;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one service in its own process: Vert.x (clustered when configured), its gRPC services
 * with health and reflection on {@code <service>.port}, and a shutdown hook that closes it.
 */
public final class ServiceMain {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceMain.class);

  private ServiceMain() {}

  /** Serves the given gRPC services of a service on its configured host and port, always SERVING. */
  public static Future<HttpServer> serve(Vertx vertx, Settings settings, String service, int defaultPort,
      List<Service> services) {
    return serve(vertx, settings, service, defaultPort, services, () -> Future.succeededFuture(true));
  }

  /** The same, SERVING only while {@code ready} says so (a service on the database: while it answers). */
  public static Future<HttpServer> serve(Vertx vertx, Settings settings, String service, int defaultPort,
      List<Service> services, Supplier<Future<Boolean>> ready) {
    String host = settings.get(service + ".host", "0.0.0.0");
    int port = settings.getInt(service + ".port", defaultPort);
    Identity identity = identity(service, settings);
    String meters = identity.kind() == Identity.Kind.HOST_AGENT ? Metrics.hostAgent(identity.name()) : identity.name();
    return GrpcTls.load(vertx, settings, identity)
        .compose(tls -> ServiceEndpoint.start(vertx, meters, host, port, services, ready, tls)
            .onSuccess(s -> LOG.info("{} serving gRPC health and reflection on {}:{} ({})", service, host, s.actualPort(),
                tls.enabled() ? "TLS" : "plaintext, insecure")));
  }

  /**
   * The identity whose certificate a service presents: {@code host-<host.name>} for a host agent,
   * else the service's module name ({@code scheduler} is {@code scheduler-svc}).
   */
  public static Identity identity(String service, Settings settings) {
    return switch (service) {
      case "host-agent" -> Identity.hostAgent(settings.get("host.name", "unnamed"));
      case "api-gateway" -> Identity.service(service);
      default -> Identity.service(service + "-svc");
    };
  }

  /**
   * The Vert.x of a service process as {@link #run} makes it: clustered when configured, the event
   * bus's files, like the gRPC port's, defaulting to this service's in security.dir.
   */
  public static Future<Vertx> vertx(String service, Settings settings) {
    return VertxBootstrap.start(BusSecurity.withMaterialOf(settings, identity(service, settings)));
  }

  /**
   * The main of a service process; exits with status 1 when it cannot start, also when joining
   * the cluster or starting takes longer than {@code start-timeout-seconds} (so that a supervisor
   * such as compose restarts it instead of leaving it hung).
   */
  public static void run(String service, Function<Vertx, Future<? extends Stoppable>> starter) {
    run(service, Settings.fromEnvironment(), starter);
  }

  /** The same with the process's settings as given (a service that adjusts what the environment says). */
  public static void run(String service, Settings settings, Function<Vertx, Future<? extends Stoppable>> starter) {
    ServiceNames.process(service);
    Insecure.warnIfOn(settings, service);
    long timeoutSeconds = settings.getLong("start-timeout-seconds", 120);
    ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, service + "-start-watchdog");
      t.setDaemon(true);
      return t;
    });
    watchdog.schedule(() -> {
      LOG.error("{} did not start within {} s (start-timeout-seconds); exiting", service, timeoutSeconds);
      System.exit(1);
    }, timeoutSeconds, TimeUnit.SECONDS);
    long stopSeconds = settings.getLong("stop-timeout-seconds", 8);
    vertx(service, settings)
        .compose(vertx -> starter.apply(vertx).onSuccess(started -> Runtime.getRuntime().addShutdownHook(
            new Thread(() -> stopThenClose(service, started, vertx, stopSeconds), service + "-stop"))))
        .onSuccess(v -> watchdog.shutdownNow())
        .onFailure(err -> {
          LOG.error("{} failed to start", service, err);
          System.exit(1);
        });
  }

  /**
   * On termination: the service's own stop first (within {@code stop-timeout-seconds}, below
   * compose's 10 s grace), then Vert.x, both from this hook's thread (a close completed on one of
   * Vert.x's own loops, shut down by that close, would never be heard of).
   */
  static void stopThenClose(String service, Stoppable started, Vertx vertx, long stopSeconds) {
    try {
      started.stop().await(stopSeconds, TimeUnit.SECONDS);
      LOG.info("{} stopped", service);
    } catch (TimeoutException e) {
      LOG.warn("{} did not stop within {} s (stop-timeout-seconds); closing it anyway", service, stopSeconds);
    } catch (RuntimeException e) {
      LOG.warn("{} stopped with an error: {}", service, e.toString());
    }
    try {
      vertx.close().await(stopSeconds, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      LOG.warn("{}: Vert.x did not close within {} s", service, stopSeconds);
    }
  }
}

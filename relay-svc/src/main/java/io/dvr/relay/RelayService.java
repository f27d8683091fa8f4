package io.dvr.relay;

import io.dvr.common.Metrics;
import io.dvr.common.ServiceMain;
import io.dvr.common.Stoppable;
import io.dvr.common.config.Settings;
import io.dvr.common.security.Insecure;
import io.dvr.common.security.PeerIdentity;
import io.dvr.proto.v1.AgentFrame;
import io.dvr.proto.v1.HostRelayGrpcService;
import io.dvr.proto.v1.RelayFrame;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * relay-svc: a member of the clustered event bus that host agents attach to over one gRPC stream
 * each ({@code HostRelay.Attach}, on {@code relay.port}, default 9097), so that the cluster's
 * members are the services and a few relays whatever the number of hosts. It checks who is on the
 * other end (the agent certificate of the host it names, unless insecure), then carries that
 * agent's bus traffic ({@link AgentStream}); it keeps nothing an agent needs after a restart, so any
 * relay serves any agent, and more relays serve more agents.
 */
public final class RelayService implements Stoppable {
  public static final String NAME = "relay";
  public static final int DEFAULT_PORT = 9097;
  private static final Logger LOG = LoggerFactory.getLogger(RelayService.class);

  private final HttpServer server;
  private final Map<String, AgentStream> attached;
  private final SharedAddresses shared;

  private RelayService(HttpServer server, Map<String, AgentStream> attached, SharedAddresses shared) {
    this.server = server;
    this.attached = attached;
    this.shared = shared;
  }

  /**
   * The settings of a relay's process: it joins the cluster as a Hazelcast lite member, whatever
   * {@code cluster.lite-member} says. A data member owns a share of the cluster's partitions,
   * among them some of the event bus's registrations ({@code __vertx.subs}); when it dies without
   * leaving (a container stopped with no grace, a host lost), every write to those partitions
   * waits until Hazelcast declares it gone (about 30 s in compose), and Vert.x makes a context's
   * registrations one after another. A relay that died would so stall the relay its agents moved
   * to: their consumers not registered, their requests (which wait for them) not made, the changes
   * published to them meanwhile not delivered. A relay holds nothing the cluster needs, so it
   * holds no partition.
   */
  public static Settings processSettings(Settings settings) {
    return settings.with("cluster.lite-member", "true");
  }

  public static Future<RelayService> start(Vertx vertx, Settings settings) {
    RelaySettings relay;
    try {
      relay = RelaySettings.of(settings);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    boolean secure = !Insecure.on(settings);
    Map<String, AgentStream> attached = new ConcurrentHashMap<>();
    SharedAddresses shared = new SharedAddresses(vertx);
    Gauge.builder("dvr_relay_agents_attached", attached, Map::size)
        .description("Host agents attached to this relay").register(Metrics.service(ServiceMain.identity(NAME, settings).name()));
    HostRelayGrpcService service = new HostRelayGrpcService() {
      @Override
      protected void attach(ReadStream<AgentFrame> request, WriteStream<RelayFrame> response) {
        accept(vertx, relay, secure, attached, shared, (GrpcServerRequest<AgentFrame, RelayFrame>) request,
            (GrpcServerResponse<AgentFrame, RelayFrame>) response);
      }
    };
    return ServiceMain.serve(vertx, settings, NAME, DEFAULT_PORT, List.of(service))
        .map(server -> new RelayService(server, attached, shared));
  }

  /** Waits for the hello, checks it against the certificate, then hands the stream to an AgentStream. */
  private static void accept(Vertx vertx, RelaySettings relay, boolean secure, Map<String, AgentStream> attached,
      SharedAddresses shared, GrpcServerRequest<AgentFrame, RelayFrame> request, GrpcServerResponse<AgentFrame, RelayFrame> response) {
    Context context = vertx.getOrCreateContext();
    Optional<String> certified = PeerIdentity.of(request.connection()).flatMap(PeerIdentity::agentHost);
    AgentStream[] stream = {null};
    // An agent sends what it listens to and what it asks right behind its hello, without waiting for
    // the welcome: after a refusal those frames still arrive, and are dropped (the stream has ended).
    boolean[] refused = {false};
    // A caller that never says hello holds nothing here for long.
    long helloTimer = vertx.setTimer(relay.keepaliveMillis() * 3, t -> {
      if (stream[0] == null && !refused[0]) {
        refused[0] = true;
        response.status(GrpcStatus.INVALID_ARGUMENT).statusMessage("no hello within " + relay.keepaliveMillis() * 3
            + " ms of opening the stream").end();
      }
    });
    request.handler(frame -> {
      if (refused[0]) {
        return;
      }
      if (stream[0] != null) {
        stream[0].take(frame);
        return;
      }
      vertx.cancelTimer(helloTimer);
      String refusal = refusal(frame, secure, certified);
      if (refusal != null) {
        refused[0] = true;
        LOG.warn("refused a stream: {}", refusal);
        response.status(frame.hasHello() ? GrpcStatus.PERMISSION_DENIED : GrpcStatus.INVALID_ARGUMENT)
            .statusMessage(refusal).end();
        return;
      }
      String host = frame.getHello().getHost();
      AgentStream mine = new AgentStream(vertx, context, host, response, relay, shared, gone -> attached.remove(gone.host(), gone));
      stream[0] = mine;
      AgentStream before = attached.put(host, mine);
      if (before != null) {
        before.endSoon(GrpcStatus.ABORTED, "host '" + host + "' attached again on another stream");
      }
      LOG.info("host {} attached", host);
      mine.welcome();
    });
    request.endHandler(v -> {
      vertx.cancelTimer(helloTimer);
      if (stream[0] != null) {
        LOG.info("host {}: detached (its agent ended the stream)", stream[0].host());
        stream[0].end(GrpcStatus.OK, "");
      } else if (!refused[0]) {
        response.status(GrpcStatus.INVALID_ARGUMENT).statusMessage("the stream ended before its hello").end();
      }
    });
    request.exceptionHandler(err -> {
      vertx.cancelTimer(helloTimer);
      if (stream[0] != null) {
        stream[0].broken();
      }
    });
  }

  /** Null when the first frame is a hello the caller may say; else why not. */
  private static String refusal(AgentFrame first, boolean secure, Optional<String> certified) {
    if (!first.hasHello()) {
      return "the first frame of a stream must be hello (AgentFrame.hello), not " + first.getFrameCase();
    }
    String host = first.getHello().getHost();
    if (host.isEmpty()) {
      return "hello.host is empty: name the host the agent runs on";
    }
    if (!secure) {
      return null;
    }
    if (certified.isEmpty()) {
      return "only host agents attach to a relay: connect with the agent certificate of host '"
          + AgentAddresses.printable(host) + "'";
    }
    return certified.get().equals(host) ? null : "the agent of host '" + certified.get()
        + "' may attach only for its own host, not for host '" + AgentAddresses.printable(host) + "'";
  }

  public int port() {
    return server.actualPort();
  }

  /** The hosts attached to this relay now. */
  public java.util.Set<String> attachedHosts() {
    return java.util.Set.copyOf(attached.keySet());
  }

  /** How many addresses the stream of {@code host} takes on this relay now (0 when not attached). */
  public Future<Integer> listening(String host) {
    AgentStream stream = attached.get(host);
    return stream == null ? Future.succeededFuture(0) : stream.listeningNow();
  }

  /** The bus consumers this relay holds for the addresses to every agent (one each, whatever the agents). */
  public int sharedConsumers() {
    return shared.consumers();
  }

  /** Ends every agent's stream (they attach elsewhere) and stops serving. */
  @Override
  public Future<Void> stop() {
    attached.values().forEach(s -> s.endSoon(GrpcStatus.UNAVAILABLE, "relay stopping"));
    return server.close();
  }
}

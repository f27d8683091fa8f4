package io.dvr.agent;

import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.link.BusLink;
import io.dvr.agent.link.ControlLink;
import io.dvr.agent.link.RelayLink;
import io.dvr.agent.sync.RouterSync;
import io.dvr.common.ServiceMain;
import io.dvr.common.Stoppable;
import io.dvr.common.config.Settings;
import io.dvr.common.security.GrpcTls;
import io.dvr.common.security.HostProofs;
import io.dvr.common.security.Identity;
import io.dvr.common.grpc.ApiError;
import io.dvr.common.grpc.GrpcErrors;
import io.dvr.common.model.AgentModes;
import io.dvr.proto.v1.GetHostStateRequest;
import io.dvr.proto.v1.HostAgentServiceGrpcService;
import io.dvr.proto.v1.HostAgentServiceService;
import io.dvr.proto.v1.HostStateListing;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * host-agent-svc: one per host (dvr or dvr_snat). Registers and heartbeats, gets its DVR MAC,
 * syncs the routers its host carries and applies them through its pipeline on the driver {@code
 * agent.dataplane} names ({@link Drivers}), and prints the host's state over gRPC ({@code
 * host-agent.port}, default 9094) and the event bus.
 */
public final class HostAgentService implements Stoppable {
  public static final String NAME = "host-agent";
  public static final int DEFAULT_PORT = 9094;

  /** host:port[,host:port...] of relays: the agent attaches to one instead of joining the cluster. */
  public static final String RELAYS = "agent.relays";
  /** How long one attempt to attach to a relay may take, from asking until its welcome. */
  public static final String RELAY_ATTACH_TIMEOUT = "agent.relay-attach-timeout-ms";

  private final HttpServer server;
  private final Heartbeat heartbeat;
  private final RouterSync sync;
  private final HostPipeline pipeline;
  private final ControlLink link;

  private HostAgentService(HttpServer server, Heartbeat heartbeat, RouterSync sync, HostPipeline pipeline,
      ControlLink link) {
    this.server = server;
    this.heartbeat = heartbeat;
    this.sync = sync;
    this.pipeline = pipeline;
    this.link = link;
  }

  /**
   * The process's settings as the agent runs them: with {@code agent.relays} set the agent is no
   * member of the cluster, whatever {@code cluster.enabled} says.
   */
  public static Settings processSettings(Settings settings) {
    return relayed(settings) ? settings.with("cluster.enabled", "false") : settings;
  }

  /** Whether the agent attaches to a relay ({@code agent.relays} set) rather than joining the cluster. */
  public static boolean relayed(Settings settings) {
    return settings.find(RELAYS).filter(r -> !r.isBlank()).isPresent();
  }

  /**
   * Why an agent whose class path has no Hazelcast (the relay-only jar, {@code -relayed}) cannot
   * run on these settings, or empty when it can: it reaches the control plane only through a
   * relay, so it needs {@code agent.relays}. (An agent with Hazelcast may run without, as before.)
   */
  public static Optional<String> refusalWithoutCluster(Settings settings, boolean clusterAvailable) {
    if (clusterAvailable || relayed(settings)) {
      return Optional.empty();
    }
    return Optional.of("setting " + RELAYS + " (" + Settings.envName(RELAYS) + ") is not set, but this agent's "
        + "class path has no Hazelcast (the relay-only jar, host-agent-svc-*-relayed.jar): it joins no cluster and "
        + "reaches the control plane only through a relay; set " + RELAYS + " to host:port[,host:port...] of "
        + "relay-svc, or run host-agent-svc-*-all.jar to join the cluster as a member");
  }

  /** Starts an agent on the driver {@code agent.dataplane} names (a fresh simulated host by default). */
  public static Future<HostAgentService> start(Vertx vertx, Settings settings) {
    return start(vertx, settings, null);
  }

  /**
   * Starts an agent on the given simulated host and facts (an agent restart keeps both, as a real
   * host keeps its kernel state and the agent's state file); null host: a fresh one.
   */
  public static Future<HostAgentService> start(Vertx vertx, Settings settings, MemoryHost host, FactsStore facts) {
    String name = settings.get("host.name", null);
    return start(vertx, settings, Drivers.memory(host != null ? host : new MemoryHost(name == null ? "" : name), facts));
  }

  /** Starts an agent on the given driver setup; null: the one the settings name. */
  private static Future<HostAgentService> start(Vertx vertx, Settings settings, HostSetup given) {
    String name = settings.get("host.name", null);
    if (name == null) {
      return Future.failedFuture(new IllegalArgumentException(
          "setting host.name (" + Settings.envName("host.name") + ") is required"));
    }
    String mode = settings.get("agent.mode", AgentModes.DVR);
    if (!AgentModes.DVR.equals(mode) && !AgentModes.DVR_SNAT.equals(mode)) {
      return Future.failedFuture(new IllegalArgumentException("setting agent.mode ("
          + Settings.envName("agent.mode") + ") is '" + mode + "'; it must be dvr or dvr_snat"));
    }
    // The agent's certificate: read on a worker (files), then the agent starts with it.
    return vertx.executeBlocking(() -> new Credentials(GrpcTls.of(settings, Identity.hostAgent(name)),
            HostProofs.sender(settings, name)))
        .compose(credentials -> start(vertx, settings, given, name, mode, credentials));
  }

  /** What proves the agent's host: its certificate (gRPC) and its event-bus credential. */
  private record Credentials(GrpcTls tls, HostProofs.Sender proof) {}

  private static Future<HostAgentService> start(Vertx vertx, Settings settings, HostSetup given, String name, String mode,
      Credentials credentials) {
    GrpcTls tls = credentials.tls();
    HostConfig config;
    Heartbeat heartbeat;
    try {
      config = HostConfig.fromSettings(settings, name, mode);
      heartbeat = new Heartbeat(vertx, settings, name, mode, tls);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    HostPipeline pipeline;
    try {
      pipeline = new HostPipeline(vertx, given != null ? given : Drivers.fromSettings(settings, name), config);
    } catch (RuntimeException e) {
      heartbeat.stop();
      return Future.failedFuture(e);
    }
    ControlLink link;
    try {
      link = link(vertx, settings, name, tls);
    } catch (RuntimeException e) {
      heartbeat.stop();
      return pipeline.close().transform(closed -> Future.failedFuture(e));
    }
    RouterSync sync = new RouterSync(vertx, link, name, mode, pipeline,
        settings.getLong("agent.request-timeout-ms", 10_000), settings.getLong("agent.snat-lease-renew-ms", 200),
        settings.getLong("agent.snat-handover-ms", 1_000), credentials.proof());
    HostAgentServiceService grpc = new HostAgentServiceService() {
      @Override
      public Future<HostStateListing> getHostState(GetHostStateRequest request) {
        // Asked on the agent's own port, the request still names a host: this agent answers only for its own.
        if (!request.getHost().isEmpty() && !request.getHost().equals(name)) {
          return Future.failedFuture(GrpcErrors.toStatusException(new ApiError(GrpcStatus.NOT_FOUND, "host '"
              + request.getHost() + "' not found: this is the agent of host '" + name + "'"), "GetHostState"));
        }
        return GrpcErrors.toStatus(pipeline.print(request.getNamespace()), "GetHostState");
      }
    };
    return ServiceMain.serve(vertx, settings, NAME, DEFAULT_PORT, List.of(HostAgentServiceGrpcService.of(grpc)))
        .map(server -> {
          // Register first (with the tunnel address), then get the DVR MAC and sync, in the background:
          // an agent starts even while the control plane is away.
          heartbeat.start().onComplete(v -> sync.start(settings.getLong("agent.resync-seconds", 60) * 1000));
          return new HostAgentService(server, heartbeat, sync, pipeline, link);
        })
        .recover(err -> {
          heartbeat.stop();
          return link.close().eventually(pipeline::close).transform(closed -> Future.failedFuture(err));
        });
  }

  /** The event bus as a member (the default), or a relay's stream when {@code agent.relays} names relays. */
  private static ControlLink link(Vertx vertx, Settings settings, String host, GrpcTls tls) {
    String relays = settings.get(RELAYS, "");
    if (relays.isBlank()) {
      return new BusLink(vertx);
    }
    long attachMillis = settings.getLong(RELAY_ATTACH_TIMEOUT, RelayLink.Retry.DEFAULT.attachMillis());
    if (attachMillis <= 0) {
      throw new IllegalArgumentException(RELAY_ATTACH_TIMEOUT + " (" + Settings.envName(RELAY_ATTACH_TIMEOUT)
          + ") must be a positive number of milliseconds, not " + attachMillis);
    }
    return new RelayLink(vertx, tls.newClient(vertx), RelayLink.addresses(RELAYS + " (" + Settings.envName(RELAYS) + ")",
        relays), host, new RelayLink.Retry(RelayLink.Retry.DEFAULT.firstMillis(), RelayLink.Retry.DEFAULT.longestMillis(),
        attachMillis));
  }

  public int port() {
    return server.actualPort();
  }

  /** The agent's pipeline; its driver is the host it runs on. */
  public HostPipeline pipeline() {
    return pipeline;
  }

  /** Operations applied by the last apply (0: the host already held the wanted state). */
  public int lastApplied() {
    return sync.lastApplied();
  }

  /** Operations applied since this agent started (0 after a restart onto an unchanged host). */
  public long operationsSinceStart() {
    return sync.operationsSinceStart();
  }

  /** Whether the first full sync since start has been applied. */
  public boolean syncedOnce() {
    return sync.syncedOnce();
  }

  /** The other hosts' tunnel endpoints as of the last apply, by host name. */
  public Map<String, String> tunnelEndpoints() {
    return sync.appliedTunnelEndpoints();
  }

  /** Asks for a full sync now (tests, and operators through a restart). */
  public void resync() {
    sync.resync();
  }

  @Override
  public Future<Void> stop() {
    heartbeat.stop();
    return sync.stop().eventually(link::close).eventually(server::close).eventually(pipeline::close);
  }
}

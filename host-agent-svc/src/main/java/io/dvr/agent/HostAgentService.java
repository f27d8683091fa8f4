package io.dvr.agent;

import io.dvr.agent.driver.linux.LinuxDataplane;
import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.sync.RouterSync;
import io.dvr.common.ServiceMain;
import io.dvr.common.config.Settings;
import io.dvr.common.grpc.GrpcErrors;
import io.dvr.common.model.AgentModes;
import io.dvr.proto.v1.GetHostStateRequest;
import io.dvr.proto.v1.HostAgentServiceGrpcService;
import io.dvr.proto.v1.HostAgentServiceService;
import io.dvr.proto.v1.HostStateListing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.Map;

/**
 * host-agent-svc: one per host (dvr or dvr_snat). Registers and heartbeats, gets its DVR MAC,
 * syncs the routers its host carries and applies them through its dataplane (the memory driver
 * here), and prints the host's state over gRPC ({@code host-agent.port}, default 9094) and the
 * event bus.
 */
public final class HostAgentService {
  public static final String NAME = "host-agent";
  public static final int DEFAULT_PORT = 9094;

  private final HttpServer server;
  private final Heartbeat heartbeat;
  private final RouterSync sync;
  private final Dataplane dataplane;

  private HostAgentService(HttpServer server, Heartbeat heartbeat, RouterSync sync, Dataplane dataplane) {
    this.server = server;
    this.heartbeat = heartbeat;
    this.sync = sync;
    this.dataplane = dataplane;
  }

  /** Starts an agent on a fresh simulated host. */
  public static Future<HostAgentService> start(Vertx vertx, Settings settings) {
    return start(vertx, settings, null, FactsStore.inMemory());
  }

  /**
   * Starts an agent on the given simulated host and facts (an agent restart keeps both, as a real
   * host keeps its kernel state and the agent's state file); null host: a fresh one.
   */
  public static Future<HostAgentService> start(Vertx vertx, Settings settings, MemoryHost host, FactsStore facts) {
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
    // agent.dataplane: "memory" simulates the host; "linux" programs its kernel and Open vSwitch.
    Dataplane dataplane;
    try {
      dataplane = "linux".equals(settings.get("agent.dataplane", "memory"))
          ? LinuxDataplane.fromSettings(vertx, settings, name, mode)
          : new MemoryDataplane(vertx, host != null ? host : new MemoryHost(name), facts, mode);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    RouterSync sync = new RouterSync(vertx, name, mode, dataplane, settings.getLong("agent.request-timeout-ms", 10_000));
    Heartbeat heartbeat;
    try {
      heartbeat = new Heartbeat(vertx, settings, name, mode);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    HostAgentServiceService grpc = new HostAgentServiceService() {
      @Override
      public Future<HostStateListing> getHostState(GetHostStateRequest request) {
        return GrpcErrors.toStatus(dataplane.print(request.getNamespace()), "GetHostState");
      }
    };
    return ServiceMain.serve(vertx, settings, NAME, DEFAULT_PORT, List.of(HostAgentServiceGrpcService.of(grpc)))
        .map(server -> {
          // Register first (with the tunnel address), then get the DVR MAC and sync, in the background:
          // an agent starts even while the control plane is away.
          heartbeat.start().onComplete(v -> sync.start(settings.getLong("agent.resync-seconds", 60) * 1000));
          return new HostAgentService(server, heartbeat, sync, dataplane);
        });
  }

  public int port() {
    return server.actualPort();
  }

  public Dataplane dataplane() {
    return dataplane;
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

  public Future<Void> stop() {
    heartbeat.stop();
    sync.stop();
    Future<Void> closed = server.close();
    return dataplane instanceof LinuxDataplane linux ? closed.compose(v -> linux.close()) : closed;
  }
}

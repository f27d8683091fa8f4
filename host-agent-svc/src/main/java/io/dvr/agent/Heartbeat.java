package io.dvr.agent;

import io.dvr.common.config.Settings;
import io.dvr.common.grpc.Unary;
import io.dvr.common.model.AgentModes;
import io.dvr.common.net.HostPort;
import io.dvr.common.security.GrpcTls;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.ReportAgentStateRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the agent's state to api-gateway ({@code api.address}) every
 * {@code agent.report-interval-seconds} (Neutron's report_interval, 30 s); the first report
 * carries the start flag. A failed report is logged and retried at the next tick.
 */
final class Heartbeat {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);

  private final Vertx vertx;
  private final GrpcClient client;
  private final SocketAddress api;
  private final long intervalMillis;
  private final ReportAgentStateRequest.Builder report;
  private boolean started;
  private long timer = -1;

  /** {@code tls}: the agent's own certificate (it proves the host it reports for) and the CA that api-gateway's must match. */
  Heartbeat(Vertx vertx, Settings settings, String host, String mode, GrpcTls tls) {
    this.vertx = vertx;
    this.client = tls.newClient(vertx);
    this.api = apiAddress(settings.get("api.address", "127.0.0.1:9090"));
    this.intervalMillis = settings.getLong("agent.report-interval-seconds", 30) * 1000;
    this.report = ReportAgentStateRequest.newBuilder().setHost(host).setAgentType(AgentModes.L3_AGENT)
        .setAgentMode(mode).setBinary("host-agent-svc").setTunnelIp(settings.get("agent.tunnel-ip", ""));
  }

  /** Parses host:port of api-gateway, naming the setting when it is malformed. */
  static SocketAddress apiAddress(String value) {
    try {
      return HostPort.parse(value).socketAddress();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("setting api.address (" + Settings.envName("api.address") + ") is '"
          + value + "': " + e.getMessage() + "; expected host:port");
    }
  }

  /** Sends the first report (registration) and then one per interval; completes after the first attempt. */
  Future<Void> start() {
    timer = vertx.setPeriodic(intervalMillis, id -> send());
    return send().otherwiseEmpty().mapEmpty();
  }

  private Future<?> send() {
    ReportAgentStateRequest request = report.setStartFlag(!started).build();
    return Unary.call(client, api, AgentServiceGrpcClient.ReportAgentState, request, Math.min(intervalMillis, 10_000))
        .onSuccess(agent -> {
          if (!started) {
            LOG.info("agent on host {} registered as {} ({})", agent.getHost(), agent.getId(), agent.getAgentMode());
          }
          started = true;
        })
        .onFailure(err -> LOG.warn("agent on host {}: state report to {} failed: {}", request.getHost(), api,
            err.getMessage()));
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    client.close();
  }
}

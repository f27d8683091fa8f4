package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.HostPipeline;
import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.reconcile.Plan;
import io.dvr.agent.reconcile.Reconciler;
import io.dvr.common.VertxBootstrap;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.config.Settings;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.TestSecurity;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.HostRouters;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.awaitility.Awaitility;

/** The all-in-one lab for tests: every service in one process on an embedded PostgreSQL, ports chosen freely. */
final class LabFixture implements AutoCloseable {
  final Vertx vertx;
  final AllInOne lab;
  final ApiClient api;

  private LabFixture(Vertx vertx, AllInOne lab) {
    this.vertx = vertx;
    this.lab = lab;
    this.api = new ApiClient(vertx, lab.apiPort(), lab.adminTokenFile().map(ApiClient::tokenIn).orElse(null));
  }

  static LabFixture start(Path dataDir, Map<String, String> extra) {
    Settings settings = settings(dataDir, extra);
    Vertx vertx = ApiClient.await(VertxBootstrap.start(settings));
    return new LabFixture(vertx, ApiClient.await(AllInOne.start(vertx, settings)));
  }

  /** A lab started by the test in its own order, on the settings of {@link #settings}. */
  static LabFixture of(Vertx vertx, AllInOne lab) {
    return new LabFixture(vertx, lab);
  }

  /**
   * The lab's settings for tests: the data directory, every port chosen freely, a quick outbox poll,
   * and the tests' security material (TLS and agent credentials as a real lab has them).
   */
  static Settings settings(Path dataDir, Map<String, String> extra) {
    Map<String, String> values = new HashMap<>(Map.of("db.data-dir", dataDir.toString(),
        "api.port", "0", "scheduler.port", "0", "mac-allocator.port", "0", "arp.port", "0",
        "lab.network.port", "0", "lab.compute1.port", "0", "lab.compute2.port", "0", "outbox.poll-ms", "200",
        "security.dir", TestSecurity.dir().toString()));
    values.put("rest.port", "0");
    values.put("relay.port", "0");
    values.putAll(extra);
    return Settings.of(values);
  }

  MemoryHost host(String name) {
    return lab.host(name);
  }

  /** The full state the control plane holds for a host, read from the database now. */
  HostRouters routersOf(String host) {
    GetHostRoutersRequest request = GetHostRoutersRequest.newBuilder().setHost(host).build();
    // Asked as the host's agent asks: with the proof of its credential.
    return ApiClient.await(Bus.request(vertx, EventAddresses.GET_HOST_ROUTERS, request, HostRouters.parser(), 10_000,
        TestSecurity.proof(host).options(request)));
  }

  /** What a full recompute from the database would change on the host (empty: converged). */
  Plan drift(String host) {
    HostPipeline pipeline = lab.agent(host).pipeline();
    return Reconciler.diff(pipeline.desired(routersOf(host)), pipeline.driver().observe());
  }

  /** Waits until every host's incrementally maintained state equals a full recompute. */
  void awaitConverged(Duration atMost) {
    Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      for (String host : lab.agents().keySet()) {
        assertThat(drift(host).operations()).as("drift of host " + host).isEmpty();
      }
    });
  }

  void awaitConverged() {
    awaitConverged(Duration.ofSeconds(20));
  }

  @Override
  public void close() {
    // Vert.x closed from this thread, not from the stop's last callback: its close would complete on
    // an event loop it has just shut down, and nobody would hear of it.
    try {
      ApiClient.await(lab.stop());
    } finally {
      ApiClient.await(vertx.close());
    }
  }
}

package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.FactsStore;
import io.dvr.agent.HostAgentService;
import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.reconcile.Reconciler;
import io.dvr.agent.render.Names;
import io.dvr.common.VertxBootstrap;
import io.dvr.common.config.Settings;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.SeedTopology;
import io.dvr.gateway.TestSecurity;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.GetPortRequest;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Status;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The all-in-one lab runs a relay: the agent of a host outside the lab (its own Vert.x, no member
 * of any bus, a certificate minted by the lab's CA) attaches to it with {@code agent.relays} and
 * carries its routers like the lab's own agents.
 */
class LabRelayTest {
  private static final Duration LIMIT = Duration.ofSeconds(30);

  @Test
  @DisplayName("an agent outside the lab attaches to the lab's relay: fetch, port status and ARP updates")
  void outsideAgentThroughTheLabsRelay(@TempDir Path dir) {
    try (LabFixture f = LabFixture.start(dir, Map.of("agent.resync-seconds", "3600"))) {
      ApiClient.await(f.lab.startRelay());
      SeedTopology seed = SeedTopology.build(f.api);
      // Bound before its agent starts: its first fetch through the relay must bring the router.
      Port vm5 = vmPort(f, seed, "vm5", "81.1.180.30", "compute3");

      Settings agentSettings = Settings.of(Map.of("host.name", "compute3", "agent.mode", "dvr",
          "agent.tunnel-ip", "10.0.0.30", "host-agent.port", "0", "api.address", "127.0.0.1:" + f.lab.apiPort(),
          "agent.relays", "127.0.0.1:" + f.lab.relayPort(), "agent.resync-seconds", "3600",
          "security.dir", TestSecurity.dir().toString()));
      LabSecurity.addHost(agentSettings, "compute3");
      MemoryHost kernel = new MemoryHost("compute3");
      kernel.plugVm("tap-vm5", vm5.getId());
      Vertx outside = ApiClient.await(VertxBootstrap.start(HostAgentService.processSettings(agentSettings)));
      try {
        HostAgentService agent = ApiClient.await(HostAgentService.start(outside, agentSettings, kernel, FactsStore.inMemory()));
        String qrouter = Names.qrouterNamespace(SeedTopology.ROUTER_ID);

        Awaitility.await("compute3 on the lab's relay").atMost(LIMIT).until(() -> f.lab.relayHosts().contains("compute3"));
        // Its port status went back through the relay (a request only the port's own host may make).
        Awaitility.await("vm5 ACTIVE").atMost(LIMIT).until(() -> port(f, vm5.getId()).getStatus() == Status.STATUS_ACTIVE);
        Awaitility.await("vm1's ARP entry on compute3").atMost(LIMIT)
            .untilAsserted(() -> assertThat(kernel.ipNeigh(qrouter)).contains("81.1.180.18"));

        // A port made now reaches compute3 as an ARP update delivered by the relay (no resync for an hour).
        vmPort(f, seed, "vm6", "81.1.180.31", "compute1");
        Awaitility.await("vm6's ARP entry on compute3").atMost(LIMIT)
            .untilAsserted(() -> assertThat(kernel.ipNeigh(qrouter)).contains("81.1.180.31"));
        Awaitility.await("compute3 equal to a full recompute").atMost(LIMIT).untilAsserted(() ->
            assertThat(Reconciler.diff(agent.pipeline().desired(f.routersOf("compute3")), agent.pipeline().driver().observe())
                .operations()).isEmpty());
        ApiClient.await(agent.stop());
      } finally {
        ApiClient.await(outside.close());
      }
    }
  }

  private static Port vmPort(LabFixture f, SeedTopology seed, String name, String ip, String host) {
    return f.api.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(seed.net1.getId())
        .setName(name).setDeviceOwner("compute:nova").setBindingHost(host)
        .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(seed.sub81.getId()).setIpAddress(ip)).build());
  }

  private static Port port(LabFixture f, String id) {
    return f.api.call(PortServiceGrpcClient.GetPort, GetPortRequest.newBuilder().setId(id).build());
  }
}

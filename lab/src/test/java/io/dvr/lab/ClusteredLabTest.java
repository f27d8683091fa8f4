package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.HostAgentService;
import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.render.Names;
import io.dvr.common.VertxBootstrap;
import io.dvr.common.cluster.TestCertificates;
import io.dvr.common.config.Settings;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.TestSecurity;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The services on one cluster member, a host agent on another (a lite member), joined by Hazelcast. */
class ClusteredLabTest {
  @TempDir Path dataDir;

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  @DisplayName("a host agent on another cluster member gets its DVR MAC and renders the router of its VM")
  void agentOnAnotherMember() throws Exception {
    int a = freePort();
    int b = freePort();
    Map<String, String> cluster = Map.of("cluster.enabled", "true", "cluster.name", "lab-" + System.nanoTime(),
        "cluster.members", "127.0.0.1:" + a + ",127.0.0.1:" + b);
    TestCertificates pki = TestCertificates.create(dataDir.resolve("pki"), "lab-test-ca");
    Map<String, String> services = new java.util.HashMap<>(cluster);
    services.putAll(pki.settings("services"));
    services.put("cluster.port", String.valueOf(a));
    try (LabFixture fx = LabFixture.start(dataDir.resolve("pg"), services)) {
      ApiClient.await(AllInOne.seedIfAsked(fx.vertx, Settings.of(Map.of("lab.seed", "true")), fx.lab));
      TestSecurity.agent("compute9"); // the host's certificate and credential, as minted for a new host
      Settings agentSettings = Settings.of(cluster).with(TestSecurity.settings()).with(pki.settings("compute9"))
          .with(Map.of("cluster.port", String.valueOf(b),
          "cluster.lite-member", "true", "host.name", "compute9", "agent.mode", "dvr", "host-agent.port", "0",
          "api.address", "127.0.0.1:" + fx.lab.apiPort()));
      Vertx remote = ApiClient.await(VertxBootstrap.start(agentSettings));
      try {
        HostAgentService agent = ApiClient.await(HostAgentService.start(remote, agentSettings));
        MemoryHost compute9 = (MemoryHost) agent.pipeline().driver();
        String net1 = fx.api.call(NetworkServiceGrpcClient.ListNetworks, ListNetworksRequest.newBuilder().setName("net1")
            .build()).getNetworks(0).getId();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> fx.routersOf("compute9").getDvrMac().startsWith("fa:16:3f"));
        Port vm = fx.api.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(net1)
            .setName("vm9").setDeviceOwner("compute:nova").setBindingHost("compute9").build());
        String qrouter = Names.qrouterNamespace(SeedLoader.ROUTER_ID);
        String mac9 = fx.routersOf("compute9").getDvrMac();
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          assertThat(compute9.ipNetns()).contains(qrouter);
          assertThat(compute9.ipNeigh(qrouter)).contains("81.1.180.18", "90.1.180.6");
          assertThat(fx.host("compute1").ipNeigh(qrouter)).contains(vm.getFixedIps(0).getIpAddress());
          assertThat(fx.host("compute1").dumpFlows("br-int")).contains("dl_src=" + mac9);
        });
        ApiClient.await(agent.stop());
      } finally {
        ApiClient.await(remote.close());
      }
    }
  }
}

package io.dvr.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.cluster.TestCertificates;
import io.dvr.common.config.Settings;
import io.dvr.proto.v1.AllocateDvrMacRequest;
import io.dvr.proto.v1.DvrHostMac;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusteredBusTest {
  @TempDir
  static Path certificates;
  static TestCertificates pki;

  @BeforeAll
  static void certificates() {
    pki = TestCertificates.create(certificates, "bus-test-ca");
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a lite member (an agent) and a data member (a service) exchange dvr.v1 messages over the Hazelcast-clustered bus (TLS, client certificates)")
  void requestAcrossMembers() throws Exception {
    int servicePort = freePort();
    int agentPort = freePort();
    String members = "127.0.0.1:" + servicePort + ",127.0.0.1:" + agentPort;
    String name = "test-" + System.nanoTime();
    Vertx service = await(VertxBootstrap.start(Settings.of(pki.settings("service")).with(Map.of("cluster.enabled", "true",
        "cluster.port", String.valueOf(servicePort), "cluster.members", members, "cluster.name", name))));
    Vertx agent = await(VertxBootstrap.start(Settings.of(pki.settings("agent")).with(Map.of("cluster.enabled", "true",
        "cluster.lite-member", "true", "cluster.port", String.valueOf(agentPort), "cluster.members", members,
        "cluster.name", name))));
    try {
      await(Bus.serve(service, EventAddresses.ALLOCATE_DVR_MAC, AllocateDvrMacRequest.parser(),
          req -> Future.succeededFuture(DvrHostMac.newBuilder().setHost(req.getHost())
              .setMacAddress("fa:16:3f:00:00:01").build())).completion());
      DvrHostMac reply = await(Bus.request(agent, EventAddresses.ALLOCATE_DVR_MAC,
          AllocateDvrMacRequest.newBuilder().setHost("compute1").build(), DvrHostMac.parser(), 10_000));
      assertThat(reply.getHost()).isEqualTo("compute1");
      assertThat(reply.getMacAddress()).isEqualTo("fa:16:3f:00:00:01");
    } finally {
      await(agent.close());
      await(service.close());
    }
  }

  @Test
  @DisplayName("a clustered member without its event-bus certificate does not start, and says which setting is missing")
  void noMaterialNoStart() {
    Future<Vertx> start = VertxBootstrap.start(Settings.of(Map.of("cluster.enabled", "true",
        "cluster.name", "test-" + System.nanoTime())));
    assertThat(start.failed()).isTrue();
    assertThat(start.cause()).hasMessageContaining("cluster.tls.keystore").hasMessageContaining("DVR_CLUSTER_TLS_KEYSTORE");
  }
}

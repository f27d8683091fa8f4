package io.dvr.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.dvr.common.config.Settings;
import io.vertx.core.Vertx;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import io.dvr.common.cluster.TestCertificates;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster as compose runs it: each member on its own address, finding the others by a host
 * name that resolves elsewhere. Here 127.0.0.1 and 127.0.0.2 (both on loopback) stand in for two
 * containers, and {@code localhost} for the service name {@code api-gateway}.
 */
class ClusterBindingTest {
  @TempDir static Path certificates;
  static TestCertificates pki;

  @BeforeAll
  static void makeCertificates() {
    pki = TestCertificates.create(certificates, "binding-test-ca");
  }

  @Test
  @DisplayName("a member on another address joins through a host name resolving to the first member, and listens on its cluster.host only")
  void membersOnTwoAddressesFormOneCluster() throws Exception {
    int firstPort = ClusteredBusTest.freePort();
    int secondPort = ClusteredBusTest.freePort();
    String name = "binding-" + System.nanoTime();
    Vertx first = ClusteredBusTest.await(VertxBootstrap.start(Settings.of(pki.settings("first")).with(Map.of("cluster.enabled", "true",
        "cluster.host", "127.0.0.1", "cluster.port", String.valueOf(firstPort), "cluster.name", name))));
    Vertx second = null;
    try {
      second = ClusteredBusTest.await(VertxBootstrap.start(Settings.of(pki.settings("second")).with(Map.of("cluster.enabled", "true",
          "cluster.host", "127.0.0.2", "cluster.port", String.valueOf(secondPort), "cluster.name", name,
          "cluster.members", "localhost:" + firstPort))));
      Awaitility.await("both members in one cluster").atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100)).until(() -> members(name).size() == 2);
      assertThat(members(name)).extracting(m -> m.getAddress().getHost())
          .containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2");
      // Bound to the configured address only: the same port on another loopback address is closed.
      int bound = instance(name, "127.0.0.2").getCluster().getLocalMember().getAddress().getPort();
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.2", bound), 2000);
      }
      assertThatThrownBy(() -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.3", bound), 2000);
        }
      }).isInstanceOf(ConnectException.class);
    } finally {
      if (second != null) {
        ClusteredBusTest.await(second.close());
      }
      ClusteredBusTest.await(first.close());
    }
  }

  static List<Member> members(String clusterName) {
    return Hazelcast.getAllHazelcastInstances().stream()
        .filter(h -> h.getConfig().getClusterName().equals(clusterName))
        .findFirst().map(h -> List.copyOf(h.getCluster().getMembers())).orElse(List.of());
  }

  static HazelcastInstance instance(String clusterName, String host) {
    return Hazelcast.getAllHazelcastInstances().stream()
        .filter(h -> h.getConfig().getClusterName().equals(clusterName))
        .filter(h -> h.getCluster().getLocalMember().getAddress().getHost().equals(host))
        .findFirst().orElseThrow();
  }
}

package io.dvr.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.Partition;
import io.dvr.common.ServiceMain;
import io.dvr.common.config.Settings;
import io.dvr.common.security.Identity;
import io.dvr.common.security.SecurityMaterial;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay's process in the cluster, made as its main makes it ({@link RelayService#processSettings},
 * {@link ServiceMain#vertx}), beside a service's: the relay is a lite member that owns none of the
 * cluster's partitions, so a relay that dies without leaving leaves none of them unavailable (the
 * relay its agents move to writes their registrations into those partitions).
 */
class RelayMembershipTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("a relay joins the cluster as a lite member owning no partition, even when told cluster.lite-member=false")
  void relayHoldsNoPartition() throws Exception {
    SecurityMaterial.ensure(dir, List.of(Identity.service("relay-svc"), Identity.service("scheduler-svc")),
        List.of("localhost", "127.0.0.1"));
    int servicePort = freePort();
    int relayPort = freePort();
    Settings cluster = Settings.of(Map.of("security.dir", dir.toString(), "cluster.enabled", "true",
        "cluster.host", "127.0.0.1", "cluster.members", "127.0.0.1:" + servicePort + ",127.0.0.1:" + relayPort,
        "cluster.name", "relay-membership-" + System.nanoTime()));
    Vertx service = await(ServiceMain.vertx("scheduler", cluster.with("cluster.port", String.valueOf(servicePort))));
    Vertx relay = null;
    try {
      relay = await(ServiceMain.vertx(RelayService.NAME, RelayService.processSettings(
          cluster.with(Map.of("cluster.port", String.valueOf(relayPort), "cluster.lite-member", "false")))));
      HazelcastInstance relayMember = memberOnPort(relayPort);
      HazelcastInstance serviceMember = memberOnPort(servicePort);
      Member relayItself = relayMember.getCluster().getLocalMember();
      assertThat(relayItself.isLiteMember()).as("the relay is a lite member").isTrue();
      assertThat(serviceMember.getCluster().getLocalMember().isLiteMember()).as("the service is a data member").isFalse();
      assertThat(serviceMember.getCluster().getMembers()).contains(relayItself);
      // Every partition has an owner, and none of them is the relay.
      List<Member> owners = serviceMember.getPartitionService().getPartitions().stream().map(Partition::getOwner).toList();
      assertThat(owners).isNotEmpty().doesNotContainNull().doesNotContain(relayItself);
    } finally {
      if (relay != null) {
        await(relay.close());
      }
      await(service.close());
    }
  }

  private static HazelcastInstance memberOnPort(int port) {
    return Hazelcast.getAllHazelcastInstances().stream()
        .filter(hz -> hz.getCluster().getLocalMember().getAddress().getPort() == port)
        .findFirst().orElseThrow(() -> new AssertionError("no Hazelcast member of this JVM on port " + port));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}

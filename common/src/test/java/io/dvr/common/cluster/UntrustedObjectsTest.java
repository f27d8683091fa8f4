package io.dvr.common.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.dvr.common.VertxBootstrap;
import io.dvr.common.config.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UntrustedObjectsTest {
  /** Stands for a deserialization gadget: its readObject runs code in whoever reads it. */
  static final class Gadget implements Serializable {
    static final AtomicBoolean RAN = new AtomicBoolean();

    private void readObject(ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
      in.defaultReadObject();
      RAN.set(true);
    }
  }

  @TempDir
  Path dir;

  @Test
  @DisplayName("an object a Hazelcast stranger puts into the records map is never Java-deserialized by a member (no gadget runs)")
  void strangersObjectsAreNotDeserialized() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String name = "gadget-" + System.nanoTime();
    TestCertificates pki = TestCertificates.create(dir, "gadget-test-ca");
    Vertx member = VertxBootstrap.start(Settings.of(pki.settings("member")).with(Map.of("cluster.enabled", "true",
        "cluster.port", String.valueOf(port), "cluster.name", name))).toCompletionStage().toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    Config strangerConfig = ConfigUtil.loadConfig().setClusterName(name);
    strangerConfig.setProperty("hazelcast.wait.seconds.before.join", "0");
    strangerConfig.getNetworkConfig().setPort(port + 1).setPortAutoIncrement(true);
    strangerConfig.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    strangerConfig.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(List.of("127.0.0.1:" + port));
    HazelcastInstance stranger = Hazelcast.newHazelcastInstance(strangerConfig);
    try {
      stranger.getMap(TrustedClusterManager.RECORDS).set("gadget", new Gadget());
      HazelcastInstance mine = ((TrustedClusterManager) ((VertxInternal) member).clusterManager()).hazelcast();
      assertThatThrownBy(() -> mine.getMap(TrustedClusterManager.RECORDS).get("gadget"))
          .hasStackTraceContaining("is not allowed");
      assertThat(Gadget.RAN).isFalse();
    } finally {
      stranger.shutdown();
      member.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}

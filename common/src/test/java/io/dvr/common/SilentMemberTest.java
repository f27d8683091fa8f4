package io.dvr.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.dvr.common.config.Settings;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A data member whose traffic stops without its connections closing (a host lost, a network
 * partition) is removed by the others on the heartbeat deadline of {@code
 * cluster.max-no-heartbeat-seconds}: with this project's default (15 s), not Hazelcast's 60 s,
 * during which the partitions it owned could not be written. Three members in this JVM, on
 * 127.0.0.1-3; the third one's packets are dropped on loopback with iptables, so it needs root
 * (skipped otherwise).
 */
class SilentMemberTest {
  private static final String SILENT = "127.0.0.3";
  /** Marks this test's rules, so that only they are removed. */
  private static final String RULE_COMMENT = "dvr-silent-member-test";

  @Test
  @DisplayName("a member whose packets are dropped, its connections left open, is removed on the default heartbeat deadline, well before Hazelcast's own (60 s)")
  void silentMemberIsRemoved() throws Exception {
    assumeTrue(iptablesUsable(), "needs root and iptables to drop one member's packets on loopback");
    String name = "silent-" + System.nanoTime();
    List<String> hosts = List.of("127.0.0.1", "127.0.0.2", SILENT);
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < hosts.size(); i++) {
      ports.add(ClusteredBusTest.freePort());
    }
    String memberList = hosts.get(0) + ":" + ports.get(0) + "," + hosts.get(1) + ":" + ports.get(1)
        + "," + hosts.get(2) + ":" + ports.get(2);
    List<HazelcastInstance> members = new ArrayList<>();
    boolean dropping = false;
    try {
      for (int i = 0; i < hosts.size(); i++) {
        Config config = ClusterBootstrap.hazelcastConfig(Settings.of(Map.of("cluster.name", name,
            "cluster.port", String.valueOf(ports.get(i)), "cluster.members", memberList)), hosts.get(i));
        // Outgoing connections from the member's own address too (Hazelcast binds them to any
        // address by default, and the kernel would pick 127.0.0.1), so that dropping the
        // silent member's address silences all of its traffic.
        config.setProperty("hazelcast.socket.client.bind.any", "false");
        members.add(Hazelcast.newHazelcastInstance(config));
      }
      HazelcastInstance first = members.get(0);
      HazelcastInstance second = members.get(1);
      Awaitility.await("three members in one cluster").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200)).until(() -> hostsSeenBy(first).size() == 3 && hostsSeenBy(second).size() == 3);

      dropping = true;
      iptables("-I", "INPUT", "-s", SILENT, "-j", "DROP", "-m", "comment", "--comment", RULE_COMMENT);
      iptables("-I", "INPUT", "-d", SILENT, "-j", "DROP", "-m", "comment", "--comment", RULE_COMMENT);

      // 15 s by default; Hazelcast's own 60 s would not be reached within this bound.
      Awaitility.await("the silent member removed by the two others").atMost(Duration.ofSeconds(45))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> !hostsSeenBy(first).contains(SILENT) && !hostsSeenBy(second).contains(SILENT));
      assertThat(hostsSeenBy(first)).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2");
      assertThat(hostsSeenBy(second)).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2");
    } finally {
      if (dropping) {
        // Each removed on its own: one that was never inserted only fails its own deletion.
        run("iptables", "-w", "-D", "INPUT", "-s", SILENT, "-j", "DROP", "-m", "comment", "--comment", RULE_COMMENT);
        run("iptables", "-w", "-D", "INPUT", "-d", SILENT, "-j", "DROP", "-m", "comment", "--comment", RULE_COMMENT);
      }
      // Not a graceful shutdown: the silent member would wait on the others it cannot reach.
      members.forEach(m -> m.getLifecycleService().terminate());
    }
  }

  private static List<String> hostsSeenBy(HazelcastInstance instance) {
    return instance.getCluster().getMembers().stream().map(Member::getAddress).map(a -> a.getHost()).toList();
  }

  private static boolean iptablesUsable() {
    try {
      return run("iptables", "-w", "-n", "-L", "INPUT") == 0;
    } catch (IOException notThere) {
      return false;
    }
  }

  private static void iptables(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("iptables", "-w"));
    command.addAll(List.of(args));
    int exit = run(command.toArray(String[]::new));
    if (exit != 0) {
      throw new IllegalStateException(String.join(" ", command) + " exited " + exit);
    }
  }

  private static int run(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      return -1;
    }
  }
}

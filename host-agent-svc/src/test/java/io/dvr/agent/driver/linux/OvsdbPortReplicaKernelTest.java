package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ports' replica against a real ovsdb-server (a labnet host's, reached by its socket as the
 * agent reaches it): it holds what ovs-vsctl reads, tells of VM ports plugged by others after it
 * holds them, holds a write once told of it, and comes back after the server restarts. Needs what
 * {@link LinuxHostKernelTest} needs; skipped otherwise, saying why.
 */
class OvsdbPortReplicaKernelTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  @RegisterExtension
  static final LabHostExtension LAB = new LabHostExtension();

  /** A replica connected and synced, with its news in {@code news}. */
  private static OvsdbPortReplica synced(BlockingQueue<String> news) throws InterruptedException {
    OvsdbPortReplica replica = new OvsdbPortReplica(LAB.lab().name(), LAB.lab().ovsdbSocket());
    replica.onVmPortsMoved(() -> news.add("moved"));
    replica.start();
    assertThat(news.poll(30, TimeUnit.SECONDS)).as("the first answer's news").isNotNull();
    return replica;
  }

  @Test
  @DisplayName("the replica holds what ovs-vsctl reads; a VM plugged by others is news once it is held, ofport and all")
  void holdsWhatVsctlReads() throws Exception {
    BlockingQueue<String> news = new LinkedBlockingQueue<>();
    try (OvsdbPortReplica replica = synced(news)) {
      assertThat(replica.read(false, WAIT).orElseThrow().interfaces())
          .containsExactlyInAnyOrderElementsOf(OvsPorts.read(LAB.shell()).interfaces());

      news.clear();
      LAB.sh("ovs-vsctl", "add-port", "br-int", "vmrep", "tag=21", "--", "set", "Interface", "vmrep", "type=internal",
          "external_ids:iface-id=port-rep", "--", "add-port", "br-tun", "vxlan-rep", "--", "set", "Interface",
          "vxlan-rep", "type=vxlan", "options:remote_ip=172.31.9.2", "options:local_ip=172.31.9.1");
      String ofport = LAB.sh("ovs-vsctl", "get", "Interface", "vmrep", "ofport");
      // The news comes after the update is held: the read it starts finds the VM port (with its ofport once that came).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      boolean found = false;
      while (!found && System.nanoTime() < deadline) {
        assertThat(news.poll(30, TimeUnit.SECONDS)).as("news of the VM plugged").isNotNull();
        found = replica.read(false, WAIT).orElseThrow().interfaces().stream().anyMatch(i -> i.name().equals("vmrep")
            && i.tag() == 21 && Integer.toString(i.ofport()).equals(ofport) && "port-rep".equals(i.externalIds().get("iface-id")));
      }
      assertThat(found).as("the VM port held with its tag, ofport " + ofport + " and iface-id").isTrue();
      assertThat(replica.read(true, WAIT).orElseThrow().bridges()).isEqualTo(OvsPorts.read(LAB.shell()).bridges());
    } finally {
      LAB.sh("ovs-vsctl", "--if-exists", "del-port", "vmrep", "--", "--if-exists", "del-port", "vxlan-rep");
    }
  }

  @Test
  @DisplayName("a listener registered after the first answer is told once at once: a port may have been plugged"
      + " while nobody listened")
  void aLateListenerIsToldOnce() throws Exception {
    try (OvsdbPortReplica replica = new OvsdbPortReplica(LAB.lab().name(), LAB.lab().ovsdbSocket())) {
      replica.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!replica.synced() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(replica.synced()).as("synced before anyone listens").isTrue();
      BlockingQueue<String> news = new LinkedBlockingQueue<>();
      replica.onVmPortsMoved(() -> news.add("moved"));
      assertThat(news.poll(0, TimeUnit.SECONDS)).as("told on registering").isNotNull();
      assertThat(news).as("and only once").isEmpty();
    }
  }

  @Test
  @DisplayName("a write the replica is told of is in the next read, as is anything committed before a fresh read")
  void writesAreHeldOnceTold() throws Exception {
    BlockingQueue<String> news = new LinkedBlockingQueue<>();
    try (OvsdbPortReplica replica = synced(news)) {
      for (int i = 0; i < 20; i++) {
        String name = "own" + i;
        LAB.sh("ovs-vsctl", "add-port", "br-int", name, "--", "set", "Interface", name, "type=internal",
            "external_ids:dvr-ns=qrouter-t", "external_ids:dvr-dev=" + name);
        replica.wrote();
        assertThat(replica.read(false, WAIT).orElseThrow().portsOfNamespace("qrouter-t")).as("after write " + i)
            .contains(name);
        int tag = 100 + i;
        LAB.sh("ovs-vsctl", "set", "Port", name, "tag=" + tag);
        assertThat(replica.read(true, WAIT).orElseThrow().interfaces()).as("fresh, after tag " + tag)
            .anyMatch(f -> f.name().equals(name) && f.tag() == tag);
        LAB.sh("ovs-vsctl", "del-port", name);
      }
      assertThat(news).as("the agent's own devices are no news").isEmpty();
    } finally {
      for (int i = 0; i < 20; i++) {
        LAB.sh("ovs-vsctl", "--if-exists", "del-port", "own" + i);
      }
    }
  }

  @Test
  @DisplayName("ovsdb-server restarted: reads are empty while it is down (the caller reads over a transaction), then the"
      + " replica connects again, reads the tables afresh and tells of what was plugged meanwhile")
  void comesBackAfterTheServerRestarts() throws Exception {
    BlockingQueue<String> news = new LinkedBlockingQueue<>();
    try (OvsdbPortReplica replica = synced(news)) {
      assertThat(replica.connections()).isEqualTo(1);
      news.clear();
      LAB.sh("ovs-appctl", "-t", "ovsdb-server", "exit");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (replica.read(false, WAIT).isPresent() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(replica.read(false, WAIT)).as("while the server is down").isEmpty();

      LAB.sh("ovsdb-server", "/etc/openvswitch/conf.db", "--remote=punix:/run/openvswitch/db.sock", "--pidfile",
          "--detach", "--log-file");
      LAB.sh("ovs-vsctl", "add-port", "br-int", "vmback", "--", "set", "Interface", "vmback", "type=internal",
          "external_ids:iface-id=port-back");
      assertThat(news.poll(30, TimeUnit.SECONDS)).as("news after the reconnection").isNotNull();
      assertThat(replica.connections()).isEqualTo(2);
      assertThat(replica.read(true, WAIT).orElseThrow().interfaces()).anyMatch(i -> i.name().equals("vmback"));
    } finally {
      LAB.sh("ovs-vsctl", "--if-exists", "del-port", "vmback");
    }
  }
}

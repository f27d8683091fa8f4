package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The session with a real ovsdb-server (a labnet host's, reached by its socket as the agent
 * reaches it): the ports it reads are those ovs-vsctl reads, tags are set as ovs-vsctl sets them,
 * and a host whose socket is not there reads with ovs-vsctl. Needs what {@link LinuxHostKernelTest}
 * needs; skipped otherwise, saying why.
 */
class OvsdbSessionKernelTest {
  @RegisterExtension
  static final LabHostExtension LAB = new LabHostExtension();

  @Test
  @DisplayName("the ports read over the session are those ovs-vsctl reads: bridges, tags, ofports, external ids, options")
  void portsAsVsctlReadsThem() {
    LAB.sh("ovs-vsctl", "add-port", "br-int", "vmread", "tag=12", "--", "set", "Interface", "vmread", "type=internal",
        "external_ids:iface-id=port-1", "external_ids:attached-mac=fa:16:3e:00:00:01", "--", "add-port", "br-tun",
        "vxlan-read", "--", "set", "Interface", "vxlan-read", "type=vxlan", "options:remote_ip=172.31.9.2",
        "options:local_ip=172.31.9.1", "external_ids:dvr-peer=compute9");
    try (OvsdbSession session = new OvsdbSession(LAB.lab().ovsdbSocket(), Duration.ofSeconds(10))) {
      OvsPorts overSession = OvsPorts.read(session);
      OvsPorts byProcess = OvsPorts.read(LAB.shell());
      assertThat(overSession.interfaces()).containsExactlyInAnyOrderElementsOf(byProcess.interfaces());
      assertThat(overSession.bridges()).isEqualTo(byProcess.bridges());
      assertThat(overSession.interfaces()).anyMatch(i -> i.name().equals("vmread") && i.tag() == 12 && i.ofport() > 0
          && i.bridge().equals("br-int") && "port-1".equals(i.externalIds().get("iface-id")));
      assertThat(overSession.interfaces()).anyMatch(i -> i.name().equals("vxlan-read") && i.bridge().equals("br-tun")
          && "172.31.9.2".equals(i.options().get("remote_ip")));
      assertThat(session.calls()).isEqualTo(1);
    } finally {
      LAB.sh("ovs-vsctl", "--if-exists", "del-port", "vmread", "--", "--if-exists", "del-port", "vxlan-read");
    }
  }

  @Test
  @DisplayName("tags set over the session: ovs-vswitchd has taken them when it returns; a port that is not there fails"
      + " the whole transaction, naming it, and no tag changes")
  void tags() {
    LAB.sh("ovs-vsctl", "add-port", "br-int", "vmtag", "--", "set", "Interface", "vmtag", "type=internal");
    try (OvsdbSession session = new OvsdbSession(LAB.lab().ovsdbSocket(), Duration.ofSeconds(10))) {
      OvsdbTags.apply(session, Map.of("vmtag", 17), 10_000);
      assertThat(LAB.sh("ovs-vsctl", "get", "Port", "vmtag", "tag")).isEqualTo("17");
      assertThat(Long.parseLong(LAB.sh("ovs-vsctl", "get", "Open_vSwitch", ".", "cur_cfg")))
          .isGreaterThanOrEqualTo(Long.parseLong(LAB.sh("ovs-vsctl", "get", "Open_vSwitch", ".", "next_cfg")));

      java.util.LinkedHashMap<String, Integer> withMissing = new java.util.LinkedHashMap<>();
      withMissing.put("vmtag", 18);
      withMissing.put("vmgone", 19);
      assertThatThrownBy(() -> OvsdbTags.apply(session, withMissing, 10_000))
          .isInstanceOf(OvsdbSession.OvsdbErrorException.class).hasMessageContaining("wait on Port").hasMessageContaining("vmgone");
      assertThat(LAB.sh("ovs-vsctl", "get", "Port", "vmtag", "tag")).isEqualTo("17");
    } finally {
      LAB.sh("ovs-vsctl", "--if-exists", "del-port", "vmtag");
    }
  }

  @Test
  @DisplayName("a wait on cur_cfg is held by the server: it ends when ovs-vswitchd moves cur_cfg, or times out there")
  void curCfgWaitHeldByTheServer() throws Exception {
    try (OvsdbSession session = new OvsdbSession(LAB.lab().ovsdbSocket(), Duration.ofSeconds(10))) {
      long before = Long.parseLong(LAB.sh("ovs-vsctl", "get", "Open_vSwitch", ".", "cur_cfg"));
      assertThatThrownBy(() -> session.transact(new JsonArray().add(OvsdbTags.curCfgChangedFrom(before, 200))))
          .isInstanceOf(OvsdbSession.OvsdbErrorException.class).hasMessageContaining("timed out");

      java.util.concurrent.CompletableFuture<JsonArray> held = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> session.transact(new JsonArray().add(OvsdbTags.curCfgChangedFrom(before, 8_000))
              .add(new io.vertx.core.json.JsonObject().put("op", "select").put("table", "Open_vSwitch")
                  .put("where", new JsonArray()).put("columns", new JsonArray().add("cur_cfg")))));
      // An ovs-vsctl that changes the database raises next_cfg and waits for ovs-vswitchd to take it.
      LAB.sh("ovs-vsctl", "set", "Open_vSwitch", ".", "external_ids:dvr-test-wait=" + (before + 1));
      JsonArray results = held.get(8, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(results.getJsonObject(1).getJsonArray("rows").getJsonObject(0).getLong("cur_cfg")).isGreaterThan(before);
    } finally {
      LAB.sh("ovs-vsctl", "remove", "Open_vSwitch", ".", "external_ids", "dvr-test-wait");
    }
  }

  @Test
  @DisplayName("a host whose ovsdb-server socket is not there reads its ports with ovs-vsctl, as without a session")
  void fallsBackToTheProcess() throws Exception {
    try (RecordingShell recording = new RecordingShell(LAB.lab().shell())) {
      LinuxHost host = new LinuxHost("nosocket", CommandRunner.withPool(recording.shell(), 1), LinuxOptions.defaults(),
          true, Path.of("/nonexistent/dvr/db.sock"));
      try {
        assertThat(host.observePorts()).containsKeys("br-int", "br-tun", "br-ex");
        assertThat(recording.commands()).filteredOn(c -> c.startsWith("ovs-vsctl -f json")).hasSize(1);
      } finally {
        host.close();
      }
    }
  }
}

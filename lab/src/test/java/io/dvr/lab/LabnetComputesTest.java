package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * labnet with more compute hosts than the default two ({@code LABNET_COMPUTES}): every host gets
 * its underlay address (172.31.0.(11+k) for compute k), a tunnel port to every other host, and
 * down.sh removes them all without being told how many there were.
 */
@DisplayName("labnet/up.sh with LABNET_COMPUTES=3 makes five hosts (two network nodes, three computes) on one tunnel mesh, and down.sh removes them all")
class LabnetComputesTest {
  static final String LAB_DIR = "/run/labnet-computes-test";
  static final Duration CMD = Duration.ofSeconds(20);

  @Test
  void threeComputes() {
    LabShell shell = labOrSkip();
    LabShell.Result up = shell.run(Duration.ofSeconds(120), "env", "LABNET_COMPUTES=3", shell.script("up.sh"));
    Assumptions.assumeTrue(up.exit() != 2, "labnet/up.sh says the lab cannot run here: " + up.err());
    try {
      assertThat(up.ok()).as("up.sh: %s", up).isTrue();
      assertThat(up.out()).contains("5 hosts: network network2 compute1 compute2 compute3");
      assertThat(shell.run(CMD, shell.onHost("compute3", "ip", "-o", "-4", "addr", "show", "br-phy")).out())
          .contains("172.31.0.14/24");
      // Neutron's names: vxlan-<peer IP in hex>; network .11, compute1 .12, compute2 .13.
      assertThat(shell.run(CMD, shell.onHost("compute3", "ovs-vsctl", "list-ports", "br-tun")).out().lines())
          .contains("vxlan-ac1f000b", "vxlan-ac1f000c", "vxlan-ac1f000d").doesNotContain("vxlan-ac1f000e");
      assertThat(shell.run(CMD, shell.onHost("network", "ovs-vsctl", "get", "Interface", "vxlan-ac1f000e",
          "options:remote_ip")).out()).contains("172.31.0.14");
      Awaitility.await("compute3 reaches network on the underlay").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200)).pollDelay(Duration.ZERO)
          .until(() -> shell.run(CMD, shell.onHost("compute3", "ping", "-n", "-c", "1", "-W", "1", "172.31.0.11")).ok());
    } finally {
      // No LABNET_COMPUTES here: down.sh finds the hosts the lab made.
      LabShell.Result down = shell.run(Duration.ofSeconds(120), shell.script("down.sh"));
      assertThat(down.ok()).as("down.sh: %s", down).isTrue();
    }
    assertThat(shell.run(CMD, "ip", "netns", "list").out()).doesNotContain("lab-compute3", "lab-network");
  }

  @Test
  @DisplayName("a LABNET_COMPUTES that is not a number from 1 to 200 is refused before anything is made")
  void refusesABadCount() {
    LabShell shell = labOrSkip();
    for (String bad : List.of("0", "201", "x", "08")) {
      LabShell.Result up = shell.run(CMD, "env", "LABNET_COMPUTES=" + bad, shell.script("up.sh"));
      assertThat(up.exit()).as("up.sh with %s: %s", bad, up).isEqualTo(1);
      assertThat(up.err()).contains("LABNET_COMPUTES must be a number from 1 to 200, not '" + bad + "'");
    }
  }

  static LabShell labOrSkip() {
    List<String> missing = new ArrayList<>();
    if (!LinuxLabEndToEndTest.isRoot()) {
      missing.add("root");
    }
    for (String tool : List.of("ovs-vswitchd", "ovsdb-server", "ovs-vsctl", "ip", "nsenter", "unshare", "ethtool", "ping")) {
      if (!LabShell.onPath(tool)) {
        missing.add(tool);
      }
    }
    var scripts = LabShell.findScripts();
    if (scripts == null) {
      missing.add("the labnet scripts");
    }
    Assumptions.assumeTrue(missing.isEmpty(), "labnet cannot run here; missing: " + String.join(", ", missing));
    return new LabShell(scripts, LAB_DIR);
  }
}

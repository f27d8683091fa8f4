package io.dvr.lab;

import io.dvr.agent.render.Names;
import io.dvr.gateway.SeedTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Open vSwitch restarted on a host comes back with its bridges and ports but no flow: the agent,
 * told by its switch watch (the Linux driver's canary), sets every flow again at once, not at the
 * next periodic resync (an hour away here).
 */
class SwitchRestartTest {

  @Test
  @DisplayName("a host's switch restarted empty gets every flow back from its agent, without a resync")
  void flowsComeBackAfterASwitchRestart(@TempDir Path dir) {
    try (LabFixture f = LabFixture.start(dir, Map.of("agent.resync-seconds", "3600"))) {
      SeedTopology.build(f.api);
      f.awaitConverged();
      String flowsBefore = f.host("compute1").dumpFlows(Names.BR_INT);

      f.host("compute1").restartSwitch();

      Awaitility.await("compute1's br-int flows back").atMost(Duration.ofSeconds(20))
          .until(() -> f.host("compute1").dumpFlows(Names.BR_INT).equals(flowsBefore));
      f.awaitConverged();
    }
  }
}

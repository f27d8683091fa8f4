package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The canary on a real Open vSwitch (a labnet host's own): a restarted ovs-vswitchd has lost every flow. */
class SwitchCanaryKernelTest {

  @Test
  @DisplayName("ovs-vswitchd restarted: br-int is back from the database, its flows are not, and the canary says so")
  void restartedSwitchIsNoticed() throws Exception {
    assumeTrue(LabHost.missing().isEmpty(), () -> LabHost.missing().orElse(""));
    try (LabHost lab = LabHost.up()) {
      CommandRunner runner = CommandRunner.withPool(lab.shell(), 1);
      AtomicInteger lost = new AtomicInteger();
      try (SwitchCanary canary = new SwitchCanary(lab.name(), runner, Duration.ofSeconds(20), lost::incrementAndGet)) {
        runner.run(Command.of("ovs-vsctl", "--may-exist", "add-br", "br-int", "--", "set", "bridge", "br-int",
            "datapath_type=netdev", "fail_mode=secure"));
        runner.run(Command.of("ovs-ofctl", "-O", "OpenFlow13", "add-flow", "br-int", "table=23,priority=0,actions=drop"));
        canary.check();
        assertThat(lost).hasValue(0);

        runner.run(Command.of("ovs-appctl", "-t", "ovs-vswitchd", "exit"));
        runner.run(Command.of("ovs-vswitchd", "--pidfile", "--detach", "--log-file"));
        Awaitility.await("br-int served again").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
            .until(() -> runner.exec(Command.of("ovs-ofctl", "-O", "OpenFlow13", "dump-flows", "br-int")).ok());
        canary.check();
        assertThat(lost).as("the restart took the canary with every other flow").hasValue(1);
      } finally {
        runner.close();
      }
    }
  }
}

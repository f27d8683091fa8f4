package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dvr.agent.render.Names;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The canary on a real Open vSwitch (a labnet host's own): a restarted ovs-vswitchd has lost every flow. */
class SwitchCanaryKernelTest {

  @Test
  @DisplayName("ovs-vswitchd restarted: br-int is back from the database, its flows are not, and the canary says so"
      + " (looking with ovs-ofctl processes)")
  void restartedSwitchIsNoticed() throws Exception {
    assumeTrue(LabHost.missing().isEmpty(), () -> LabHost.missing().orElse(""));
    try (LabHost lab = LabHost.up()) {
      CommandRunner runner = CommandRunner.withPool(lab.shell(), 1);
      AtomicInteger lost = new AtomicInteger();
      try (SwitchCanary canary = new SwitchCanary(lab.name(), runner, Duration.ofSeconds(20), lost::incrementAndGet)) {
        restartNoticed(runner, canary, lost);
      } finally {
        runner.close();
      }
    }
  }

  @Test
  @DisplayName("the same over br-int's OpenFlow connection, with no process: the canary's process runner here fails"
      + " every command, so a look that fell back to it would tell nothing and the loss would go unnoticed")
  void restartedSwitchIsNoticedOverOpenFlow() throws Exception {
    assumeTrue(LabHost.missing().isEmpty(), () -> LabHost.missing().orElse(""));
    try (LabHost lab = LabHost.up()) {
      CommandRunner runner = CommandRunner.withPool(lab.shell(), 1);
      CommandRunner failing = CommandRunner.withPool(new HostShell(List.of("sh", "-c", "exit 1", "no-process")), 1);
      AtomicInteger lost = new AtomicInteger();
      AtomicInteger looks = new AtomicInteger();
      try (OpenFlowConnection brInt = new OpenFlowConnection(Names.BR_INT,
              FlowInstaller.managementSocket(lab.ovsRunDir(), Names.BR_INT), Duration.ofSeconds(20));
          SwitchCanary canary = new SwitchCanary(lab.name(), failing, Duration.ofSeconds(20), lost::incrementAndGet,
              counted(looks, () -> OptionalInt.of(brInt.flowsIn(Names.INT_CANARY))))) {
        restartNoticed(runner, canary, lost);
        assertThat(looks).as("both looks were answered over OpenFlow").hasValue(2);
      } finally {
        runner.close();
        failing.close();
      }
    }
  }

  private static Supplier<OptionalInt> counted(AtomicInteger looks, Supplier<OptionalInt> look) {
    return () -> {
      OptionalInt flows = look.get();
      if (flows.isPresent()) {
        looks.incrementAndGet();
      }
      return flows;
    };
  }

  private static void restartNoticed(CommandRunner runner, SwitchCanary canary, AtomicInteger lost) {
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
  }
}

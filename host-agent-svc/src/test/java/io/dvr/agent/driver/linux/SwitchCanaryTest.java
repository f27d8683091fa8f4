package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When br-int's canary flow tells the agent that Open vSwitch lost its flows (dumps as OVS 3.1 prints them). */
class SwitchCanaryTest {
  private static final String CANARY = "OFPST_FLOW reply (OF1.3) (xid=0x2):\n table=23, priority=0 actions=drop\n";
  private static final String EMPTY = "OFPST_FLOW reply (OF1.3) (xid=0x2):\n";

  @Test
  @DisplayName("seen, then gone: one call; gone again: none until it was seen again; a failing dump tells nothing")
  void callsBackOncePerLoss(@TempDir Path dir) throws Exception {
    Path dump = dir.resolve("dump");
    Path exit = dir.resolve("exit");
    // A stand-in for ovs-ofctl: prints the file's dump and exits with the other file's code.
    HostShell standIn = new HostShell(List.of("sh", "-c", "cat " + dump + "; exit $(cat " + exit + ")", "stand-in"));
    AtomicInteger lost = new AtomicInteger();
    CommandRunner runner = CommandRunner.withPool(standIn, 1);
    try (SwitchCanary canary = new SwitchCanary("test", runner, Duration.ofSeconds(10), lost::incrementAndGet)) {
      Files.writeString(exit, "0");
      Files.writeString(dump, EMPTY);
      canary.check();
      assertThat(lost).as("never seen yet: the first apply has not set it").hasValue(0);

      Files.writeString(dump, CANARY);
      canary.check();
      Files.writeString(dump, EMPTY);
      canary.check();
      assertThat(lost).as("gone after it was seen").hasValue(1);
      canary.check();
      assertThat(lost).as("still gone: told once").hasValue(1);

      Files.writeString(dump, CANARY);
      canary.check();
      Files.writeString(exit, "1");
      Files.writeString(dump, "ovs-ofctl: br-int is not a bridge or a socket\n");
      canary.check();
      assertThat(lost).as("a dump that fails (OVS down) tells nothing").hasValue(1);
      Files.writeString(exit, "0");
      Files.writeString(dump, EMPTY);
      canary.check();
      assertThat(lost).as("gone after it was seen again").hasValue(2);
    } finally {
      runner.close();
    }
  }

  @Test
  @DisplayName("over OpenFlow when it answers, with no process; a process only when OpenFlow cannot be asked (or its"
      + " look throws), and the two together tell one loss once")
  void looksOverOpenFlowFirst(@TempDir Path dir) throws Exception {
    Path dump = dir.resolve("dump");
    Path runs = dir.resolve("runs");
    HostShell standIn = new HostShell(List.of("sh", "-c", "echo run >> " + runs + "; cat " + dump, "stand-in"));
    AtomicInteger lost = new AtomicInteger();
    AtomicReference<OptionalInt> overOpenFlow = new AtomicReference<>(OptionalInt.of(1));
    CommandRunner runner = CommandRunner.withPool(standIn, 1);
    try (SwitchCanary canary = new SwitchCanary("test", runner, Duration.ofSeconds(10), lost::incrementAndGet, () -> {
      OptionalInt flows = overOpenFlow.get();
      if (flows == null) {
        throw new IllegalStateException("the connection broke");
      }
      return flows;
    })) {
      Files.writeString(dump, EMPTY);
      canary.check();
      overOpenFlow.set(OptionalInt.of(0));
      canary.check();
      assertThat(lost).as("seen, then gone, over OpenFlow").hasValue(1);
      assertThat(runs).as("no process while OpenFlow answers").doesNotExist();

      overOpenFlow.set(OptionalInt.of(1));
      canary.check();
      overOpenFlow.set(OptionalInt.empty());
      canary.check();
      assertThat(lost).as("OpenFlow cannot be asked: the process's dump says gone").hasValue(2);
      assertThat(Files.readAllLines(runs)).hasSize(1);

      Files.writeString(dump, CANARY);
      overOpenFlow.set(null);
      canary.check();
      overOpenFlow.set(OptionalInt.of(0));
      canary.check();
      assertThat(lost).as("a look that throws falls to the process, which saw it; then gone over OpenFlow").hasValue(3);
      assertThat(Files.readAllLines(runs)).hasSize(2);
    } finally {
      runner.close();
    }
  }
}

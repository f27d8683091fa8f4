package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dvr.agent.render.Names;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Floating IPs' nat deltas through a namespace's long-lived {@code iptables-restore} on the real
 * kernel, inside one labnet host: a block is in the table when the session returns, a failing
 * block says why and ends its session, and a namespace made anew is never written through the old
 * session.
 */
class NatSessionKernelTest {
  private static final String CLASS = "NatSessionKernelTest";
  private static final String CHAIN = Names.CHAIN_PREROUTING;
  private static Optional<String> missing = Optional.empty();
  private static LabHost lab;
  private static CommandRunner runner;
  private NatSessions sessions;
  private String ns;

  @BeforeAll
  static void up() throws Exception {
    missing = LabHost.missing();
    if (missing.isPresent()) {
      System.err.println("SKIPPED " + CLASS + ": " + missing.get());
      return;
    }
    lab = LabHost.up();
    runner = CommandRunner.withPool(lab.shell(), 2);
  }

  @BeforeEach
  void namespaceWithOurChain() {
    assumeTrue(missing.isEmpty(), () -> missing.orElse(""));
    sessions = new NatSessions(lab.shell(), Duration.ofSeconds(10), NatSessions.MAX_SESSIONS);
    ns = "qrouter-" + UUID.randomUUID();
    runner.run(Command.of("ip", "netns", "add", ns));
    madeWithOurChain(ns);
  }

  private static void madeWithOurChain(String ns) {
    runner.run(Command.of("ip", "netns", "exec", ns, "iptables-restore", "-n")
        .withStdin("*nat\n-N " + CHAIN + "\n-A PREROUTING -j " + CHAIN + "\nCOMMIT\n"));
  }

  @AfterEach
  void down() {
    if (sessions != null) {
      sessions.close();
    }
    if (runner != null && ns != null) {
      runner.exec(Command.of("ip", "netns", "del", ns));
    }
  }

  @AfterAll
  static void end() {
    if (runner != null) {
      runner.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  private static String dnat(int i) {
    return "-d 192.168.70." + i + "/32 -j DNAT --to-destination 10.70.0." + i;
  }

  private String rules() {
    return runner.run(Command.of("ip", "netns", "exec", ns, "iptables", "-t", "nat", "-S", CHAIN)).stdout();
  }

  /** The iptables-restore processes in the namespace (ip netns exec ends in an exec of it). */
  private int restoresRunningIn(String namespace) {
    long inode = Long.parseLong(runner.run(Command.of("ip", "netns", "exec", namespace, "readlink", "/proc/self/ns/net"))
        .stdout().replaceAll("[^0-9]", ""));
    try {
      return (int) LinuxHostKernelTest.holdersOf(inode).stream().filter(h -> h.contains(" iptables-restore -n")).count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  @DisplayName("each block is in the table when the session returns, and one restore process takes them all")
  void blocksCommitThroughOneSession() {
    Optional<CommandResult> added = sessions.apply(ns, "*nat\n-I " + CHAIN + " 1 " + dnat(10) + "\nCOMMIT\n");
    assertThat(added).hasValueSatisfying(r -> assertThat(r.ok()).isTrue());
    assertThat(rules()).contains("-A " + CHAIN + " " + dnat(10));
    Optional<CommandResult> swapped = sessions.apply(ns, "*nat\n-D " + CHAIN + " " + dnat(10) + "\n-I " + CHAIN
        + " 1 " + dnat(11) + "\nCOMMIT\n");
    assertThat(swapped).hasValueSatisfying(r -> assertThat(r.ok()).isTrue());
    assertThat(rules()).doesNotContain(dnat(10) + "\n").contains("-A " + CHAIN + " " + dnat(11));
    assertThat(sessions.blocksRun()).isEqualTo(2);
    assertThat(sessions.sessionsStarted()).isEqualTo(1);
    assertThat(restoresRunningIn(ns)).isEqualTo(1);
  }

  @Test
  @DisplayName("a block that fails changes nothing, says why, and ends its session; the next block starts a new one")
  void aFailingBlockEndsItsSession() {
    sessions.apply(ns, "*nat\n-I " + CHAIN + " 1 " + dnat(20) + "\nCOMMIT\n");
    Optional<CommandResult> failed = sessions.apply(ns, "*nat\n-I " + CHAIN + " 1 " + dnat(21) + "\n-D " + CHAIN
        + " " + dnat(29) + "\nCOMMIT\n");
    assertThat(failed).isPresent();
    assertThat(failed.get().ok()).isFalse();
    assertThat(failed.get().stderr()).contains("failed");
    assertThat(rules()).as("one transaction: the insert before the failing delete is not in")
        .contains(dnat(20)).doesNotContain(dnat(21));
    assertThat(restoresRunningIn(ns)).isZero();
    assertThat(sessions.apply(ns, "*nat\n-I " + CHAIN + " 1 " + dnat(22) + "\nCOMMIT\n"))
        .hasValueSatisfying(r -> assertThat(r.ok()).isTrue());
    assertThat(rules()).contains(dnat(22));
    assertThat(sessions.sessionsStarted()).isEqualTo(2);
  }

  @Test
  @DisplayName("a namespace deleted and made anew behind the session's back is not written through the old session")
  void aNamespaceMadeAnewIsNotWrittenThroughTheOldSession() {
    sessions.apply(ns, "*nat\n-I " + CHAIN + " 1 " + dnat(30) + "\nCOMMIT\n");
    runner.run(Command.of("ip", "netns", "del", ns));
    runner.run(Command.of("ip", "netns", "add", ns));
    madeWithOurChain(ns);
    assertThat(sessions.apply(ns, "*nat\n-I " + CHAIN + " 1 " + dnat(31) + "\nCOMMIT\n"))
        .hasValueSatisfying(r -> assertThat(r.ok()).isTrue());
    assertThat(rules()).as("the new namespace's table").contains(dnat(31)).doesNotContain(dnat(30));
    assertThat(sessions.sessionsStarted()).isEqualTo(2);
  }

  @Test
  @DisplayName("forgetting a namespace's session ends its processes: none is left holding the namespace once it is deleted")
  void forgetEndsTheProcesses() throws IOException {
    sessions.apply(ns, "*nat\n-I " + CHAIN + " 1 " + dnat(40) + "\nCOMMIT\n");
    long inode = Long.parseLong(runner.run(Command.of("ip", "netns", "exec", ns, "readlink", "/proc/self/ns/net"))
        .stdout().replaceAll("[^0-9]", ""));
    assertThat(LinuxHostKernelTest.holdersOf(inode)).hasSize(2);
    sessions.forget(ns);
    runner.run(Command.of("ip", "netns", "del", ns));
    assertThat(LinuxHostKernelTest.holdersOf(inode)).isEmpty();
  }

  @Test
  @DisplayName("where no session can start (a namespace that is not there), the caller is told at once and no"
      + " session is tried again for a while: each try would cost the probes")
  void aFailedStartIsNotTriedAgainAtOnce() {
    String absent = "qrouter-" + UUID.randomUUID();
    String block = "*nat\n-I " + CHAIN + " 1 " + dnat(50) + "\nCOMMIT\n";
    assertThat(sessions.apply(absent, block)).isEmpty();
    assertThat(sessions.apply(absent, block)).isEmpty();
    assertThat(sessions.apply(ns, block)).as("not even in a namespace where one could start").isEmpty();
    assertThat(sessions.startsTried()).isEqualTo(1);
    assertThat(sessions.sessionsStarted()).isZero();
  }

  @Test
  @DisplayName("the pid of a NEWGEN line")
  void pidOfAnnouncement() {
    assertThat(NatSession.pidOf("NEWGEN: GENID=561 PID=27701 NAME=iptables-restor")).isEqualTo(27701);
    assertThat(NatSession.pidOf("NEWGEN: GENID=561")).isZero();
  }
}

package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.Neighbour;
import io.dvr.agent.reconcile.Operation;
import io.dvr.agent.reconcile.Plan;
import io.dvr.agent.reconcile.Reconciler;
import io.dvr.agent.render.HostRenderer;
import io.dvr.agent.render.Names;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The short path of small plans on the real kernel: a few ip lines of a namespace go through that
 * namespace's long-lived ip session (no process per plan), with the guarantees of a one-shot
 * batch: the kernel holds what the plan said, a failure names the command and the line, and a
 * namespace made anew under a session is never written through the old one.
 */
class IpSessionKernelTest {
  private static final String CLASS = "IpSessionKernelTest";
  private static Optional<String> missing = Optional.empty();
  private static LabHost lab;
  private static CommandRunner runner;
  private static LinuxHost host;

  @BeforeAll
  static void up() throws Exception {
    missing = LabHost.missing();
    if (missing.isPresent()) {
      System.err.println("SKIPPED " + CLASS + ": " + missing.get());
      return;
    }
    lab = LabHost.up();
    runner = CommandRunner.withPool(lab.shell(), 4);
    host = new LinuxHost("lab", runner, LinuxOptions.defaults());
  }

  @BeforeEach
  void requireLab() {
    assumeTrue(missing.isEmpty(), () -> missing.orElse(""));
  }

  @AfterAll
  static void down() {
    if (host != null) {
      host.close();
    } else if (runner != null) {
      runner.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  @AfterEach
  void removeOurs() {
    if (host != null) {
      Map<String, BridgeState> bridges = new TreeMap<>();
      List.of(Names.BR_INT, Names.BR_TUN).forEach(b -> bridges.put(b, BridgeState.of(b, List.of())));
      host.execute(Reconciler.diff(HostState.of(Map.of(), bridges), host.observe()));
    }
  }

  private static HostState converged(SmallRouter r) {
    HostState desired = HostRenderer.render(r.routers(false), r.facts(r.routers(false)));
    host.execute(Reconciler.diff(desired, host.observe()));
    return desired;
  }

  private static Neighbour neighbour(SmallRouter r, int last) {
    return new Neighbour("10.61.0." + last, Names.qrDevice(r.ifA.getPortId()), String.format("fa:16:3e:00:01:%02x", last));
  }

  private static HostState with(HostState desired, String ns, List<Neighbour> gone, List<Neighbour> added) {
    Map<String, io.dvr.agent.model.NamespaceState> namespaces = new TreeMap<>(desired.namespaces());
    namespaces.put(ns, namespaces.get(ns).withNeighbours(gone, added));
    return HostState.of(namespaces, desired.bridges());
  }

  /**
   * The gratuitous ARPs of earlier plans (a SNAT address is announced three times over 0.3 s, each
   * arping up to a second) run in the background on the same runner: wait for them to end before
   * counting a plan's processes.
   */
  private static void awaitNoAnnouncements() {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
    while (host.announcementsPending() > 0) {
      assertThat(System.nanoTime()).as("gratuitous ARPs still running after 15 s").isLessThan(deadline);
      java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
    }
  }

  @Test
  @DisplayName("ARP entries added and removed one plan at a time start no process once the namespace's session runs, nor ask it which namespace it holds, and the kernel holds what the plans said")
  void neighboursWithoutAProcess() {
    SmallRouter r = new SmallRouter();
    HostState desired = converged(r);
    // The first small plan of the namespace may start its session.
    desired = with(desired, r.qrouter(), List.of(), List.of(neighbour(r, 40)));
    host.execute(Reconciler.diff(desired, host.observe()));
    awaitNoAnnouncements();
    long processes = runner.processesStarted();
    long sessions = host.ipSessionsStarted();
    long lines = host.ipSessionLines();
    long asked = host.ipSessionsAsked();
    for (int i = 41; i < 51; i++) {
      Neighbour n = neighbour(r, i);
      Plan add = new Plan(List.of(new Operation.ReplaceNeighbour(r.qrouter(), n)));
      host.execute(add);
      desired = with(desired, r.qrouter(), List.of(), List.of(n));
    }
    Neighbour gone = neighbour(r, 45);
    host.execute(new Plan(List.of(new Operation.RemoveNeighbour(r.qrouter(), gone))));
    desired = with(desired, r.qrouter(), List.of(gone), List.of());
    assertThat(runner.processesStarted()).as("processes started by 11 one-entry plans").isEqualTo(processes);
    assertThat(host.ipSessionsStarted()).as("sessions started").isEqualTo(sessions);
    assertThat(host.ipSessionLines() - lines).isEqualTo(11);
    // Which namespace the session holds is read from /proc: each plan is one round trip to the ip, its line.
    assertThat(host.ipSessionsAsked() - asked).as("plans before which the session's ip was asked its namespace")
        .isZero();
    String listed = runner.run(Command.of("ip", "-n", r.qrouter(), "neigh", "show")).stdout();
    assertThat(listed).contains("10.61.0.50 dev " + Names.qrDevice(r.ifA.getPortId()) + " lladdr fa:16:3e:00:01:32 PERMANENT")
        .doesNotContain("10.61.0.45 ");
    assertThat(Reconciler.diff(desired, host.observe()).operations()).isEmpty();
  }

  @Test
  @DisplayName("a namespace deleted and made anew behind the agent's back is not written through the old session: the plan fails as a one-shot batch does")
  void aNamespaceMadeAnewIsNotWrittenThroughTheOldSession() {
    SmallRouter r = new SmallRouter();
    HostState desired = converged(r);
    host.execute(new Plan(List.of(new Operation.ReplaceNeighbour(r.qrouter(), neighbour(r, 60)))));
    assertThat(host.ipSessionLines()).isPositive();
    // Drift: someone deletes the router's namespace and makes an empty one of that name.
    runner.run(Command.of("ip", "netns", "del", r.qrouter()));
    runner.run(Command.of("ip", "netns", "add", r.qrouter()));
    Plan next = new Plan(List.of(new Operation.ReplaceNeighbour(r.qrouter(), neighbour(r, 61))));
    long lines = host.ipSessionLines();
    assertThatThrownBy(() -> host.execute(next)).isInstanceOf(CommandFailedException.class)
        .hasMessageContaining("Cannot find device");
    assertThat(host.ipSessionLines()).as("lines written through the session of the deleted namespace").isEqualTo(lines);
    // A full apply puts the router back, and later small plans use a session of the new namespace.
    host.execute(Reconciler.diff(desired, host.observe()));
    Neighbour n = neighbour(r, 62);
    host.execute(new Plan(List.of(new Operation.ReplaceNeighbour(r.qrouter(), n))));
    assertThat(Reconciler.diff(with(desired, r.qrouter(), List.of(), List.of(n)), host.observe()).operations()).isEmpty();
  }

  @Test
  @DisplayName("a plan that deletes a namespace ends its session first: no ip process of it is left holding it")
  void deletingANamespaceEndsItsSession() {
    SmallRouter r = new SmallRouter();
    converged(r);
    host.execute(new Plan(List.of(new Operation.ReplaceNeighbour(r.qrouter(), neighbour(r, 70)))));
    long sessions = host.ipSessionsStarted();
    assertThat(sessions).isPositive();
    // A session would keep the deleted namespace's network stack (and its devices) alive: its qr- device
    // would linger as the peer of nothing. Everything of ours is removed here, then we look for leftovers.
    removeOurs();
    assertThat(runner.run(Command.of("ip", "netns", "list")).stdout()).doesNotContain(r.qrouter());
    String pids = runner.run(Command.of("sh", "-c", "pgrep -f -- '[-]n " + r.qrouter() + " -batch' || true")).stdout();
    assertThat(pids).as("ip sessions of the deleted namespace still running").isBlank();
  }

  @Test
  @DisplayName("a line failing in a session names the command, the error and the line, and stops the batch there")
  void failuresCarryTheCommand() {
    SmallRouter r = new SmallRouter();
    HostState desired = converged(r);
    Neighbour after = neighbour(r, 90);
    Plan bad = new Plan(List.of(
        new Operation.ReplaceNeighbour(r.qrouter(), neighbour(r, 80)),
        new Operation.ReplaceNeighbour(r.qrouter(), new Neighbour("10.61.0.85", "qr-missing-000", "fa:16:3e:00:00:85")),
        new Operation.ReplaceNeighbour(r.qrouter(), after)));
    assertThatThrownBy(() -> host.execute(bad)).isInstanceOf(CommandFailedException.class)
        .hasMessageContaining("ip -n " + r.qrouter() + " -batch -").hasMessageContaining("Cannot find device")
        .hasMessageContaining("> 2: neigh replace 10.61.0.85")
        .hasMessageNotContaining("Command failed -:");
    assertThat(runner.run(Command.of("ip", "-n", r.qrouter(), "neigh", "show")).stdout())
        .as("the line after the failing one is not run").doesNotContain("10.61.0.90 ");
    assertThat(host.ipSessionLines()).isPositive();
  }
}

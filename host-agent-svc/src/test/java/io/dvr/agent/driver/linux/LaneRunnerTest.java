package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.IpRule;
import io.dvr.agent.reconcile.Operation;
import io.dvr.agent.reconcile.Plan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batching, tolerated failures and what waits for a lane's end, against a stand-in for ip that logs
 * its batches and fails like iproute2 does (with {@code -force} it goes on after a failing line,
 * names each and exits 1 at the end).
 */
class LaneRunnerTest {
  @TempDir
  Path dir;

  /**
   * A host shell whose "ip" logs each batch and fails the first line holding 'lookup 16' once with
   * File exists, and every line holding 'lookup 17' with Invalid argument.
   */
  private CommandRunner fakeIp() throws IOException {
    Path script = dir.resolve("fake.sh");
    Files.writeString(script, """
        log="$(dirname "$0")/calls.log"
        echo "CALL $*" >> "$log"
        [ "$1" = ip ] || exit 0
        force=0; case " $* " in *" -force "*) force=1 ;; esac
        n=0; rc=0
        while IFS= read -r line; do
          n=$((n+1)); echo "$line" >> "$log"
          case "$line" in
            *"lookup 16"*) if [ ! -e "$log.once" ]; then touch "$log.once"; echo "RTNETLINK answers: File exists" >&2; echo "Command failed -:$n" >&2; rc=1; [ $force = 1 ] || exit 1; fi ;;
            *"lookup 17"*) echo "RTNETLINK answers: Invalid argument" >&2; echo "Command failed -:$n" >&2; rc=1; [ $force = 1 ] || exit 1 ;;
          esac
        done
        exit $rc
        """);
    return CommandRunner.withPool(new HostShell(List.of("bash", script.toString())), 1);
  }

  private List<String> calls() throws IOException {
    return Files.readAllLines(dir.resolve("calls.log"));
  }

  @Test
  @DisplayName("ip lines of one namespace go in one forced batch: a tolerated 'File exists' costs no second process")
  void batchesAndGoesOn() throws IOException {
    try (CommandRunner runner = fakeIp()) {
      OperationCompiler compiler = new OperationCompiler(runner, LinuxOptions.defaults());
      List<Action> actions = compiler.compile(List.of(
          new Operation.AddRule("qrouter-a", new IpRule(32768, IpPrefix.host("10.0.0.5"), 16)),
          new Operation.AddRule("qrouter-a", new IpRule(32769, IpPrefix.host("10.0.0.6"), 1)),
          new Operation.SetSysctl("qrouter-a", "net.ipv4.ip_forward", "1"),
          new Operation.SetSysctl("qrouter-a", "net.ipv4.conf.all.send_redirects", "0")));
      new LaneRunner(runner, LinuxOptions.defaults()).run(actions);
      assertThat(calls()).containsExactly(
          "CALL ip -n qrouter-a -force -batch -",
          "rule add from 10.0.0.5 lookup 16 priority 32768",
          "rule add from 10.0.0.6 lookup 1 priority 32769",
          "netns exec qrouter-a sysctl -w -q net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0");
    }
  }

  @Test
  @DisplayName("a failure that is not tolerated fails the batch even when a tolerated one comes before it")
  void realErrorAfterToleratedOne() throws IOException {
    try (CommandRunner runner = fakeIp()) {
      List<Action> actions = new OperationCompiler(runner, LinuxOptions.defaults()).compile(List.of(
          new Operation.AddRule("qrouter-a", new IpRule(32768, IpPrefix.host("10.0.0.5"), 16)),
          new Operation.AddRule("qrouter-a", new IpRule(40000, IpPrefix.host("10.0.0.7"), 17))));
      assertThatThrownBy(() -> new LaneRunner(runner, LinuxOptions.defaults()).run(actions))
          .isInstanceOf(CommandFailedException.class).hasMessageContaining("Invalid argument")
          .hasMessageContaining("> 2: rule add from 10.0.0.7 lookup 17 priority 40000");
    }
  }

  @Test
  @DisplayName("sysctls and ethtool wait for the lane's end, so a namespace's ip lines stay one batch, and run as its last lines")
  void namespaceLinesStayOneBatch() throws IOException {
    try (CommandRunner runner = fakeIp()) {
      List<Action> actions = new OperationCompiler(runner, LinuxOptions.defaults()).compile(List.of(
          new Operation.CreateNamespace("qrouter-a"),
          new Operation.CreateInternalPort("qrouter-a", "qr-1", "br-int"),
          new Operation.SetLink("qrouter-a", "qr-1", "fa:16:3e:00:00:01", 1450),
          new Operation.SetSysctl("qrouter-a", "net.ipv4.ip_forward", "1"),
          new Operation.AddAddress("qrouter-a", "qr-1", IpPrefix.parse("10.0.0.1/24")),
          new Operation.SetSysctl("qrouter-a", "net.ipv4.conf.qr-1.send_redirects", "0"),
          new Operation.AddRule("qrouter-a", new IpRule(32768, IpPrefix.host("10.0.0.6"), 1))));
      List<String> ovs = new LaneRunner(runner, LinuxOptions.defaults()).run(actions);
      assertThat(calls()).filteredOn(l -> l.startsWith("CALL")).containsExactly(
          "CALL ip -force -batch -",
          "CALL ip -n qrouter-a -force -batch -");
      assertThat(calls()).containsSubsequence("netns add qrouter-a", "link del tqr-1",
          "link add tqr-1 type veth peer name qr-1 netns qrouter-a", "link set dev tqr-1 up",
          "link set lo up", "link set dev qr-1 address fa:16:3e:00:00:01 mtu 1450 up",
          "rule add from 10.0.0.6 lookup 1 priority 32768",
          "netns exec qrouter-a sysctl -w -q net.ipv4.ip_forward=1 net.ipv4.conf.qr-1.send_redirects=0",
          "netns exec qrouter-a ethtool -K qr-1 tx off");
      assertThat(ovs).contains("add-port", "tqr-1");
    }
  }

  @Test
  @DisplayName("an error that is not tolerated stops the lane with the failing line marked: nothing after its batch runs")
  void stopsOnRealErrors() throws IOException {
    try (CommandRunner runner = fakeIp()) {
      List<Action> actions = new OperationCompiler(runner, LinuxOptions.defaults()).compile(List.of(
          new Operation.AddRule("qrouter-a", new IpRule(40000, IpPrefix.host("10.0.0.7"), 17)),
          new Operation.SetSysctl("qrouter-a", "net.ipv4.ip_forward", "1"),
          new Operation.ReplaceNat("qrouter-a", io.dvr.agent.model.NatTable.EMPTY),
          new Operation.AddRule("fip-b", new IpRule(40001, IpPrefix.host("10.0.0.8"), 1))));
      assertThatThrownBy(() -> new LaneRunner(runner, LinuxOptions.defaults()).run(actions))
          .isInstanceOf(CommandFailedException.class).hasMessageContaining("Invalid argument")
          .hasMessageContaining("> 1: rule add from 10.0.0.7 lookup 17 priority 40000");
      // The sysctl is a line of the same forced batch (ip goes on after a failing line); the nat
      // restore and the next namespace's batch come after it and do not run.
      assertThat(calls()).noneMatch(l -> l.contains("iptables") || l.contains("fip-b"));
    }
  }

  @Test
  @DisplayName("settings the plan interleaves over two namespaces step by step go as one batch per namespace, each in plan order")
  void oneBatchPerNamespace() throws IOException {
    try (CommandRunner runner = fakeIp()) {
      List<Action> actions = new OperationCompiler(runner, LinuxOptions.defaults()).compile(List.of(
          new Operation.AddAddress("qrouter-a", "qr-1", IpPrefix.parse("10.0.0.1/24")),
          new Operation.AddAddress("fip-b", "fg-1", IpPrefix.parse("172.24.0.2/16")),
          new Operation.AddRule("qrouter-a", new IpRule(32768, IpPrefix.host("10.0.0.5"), 1)),
          new Operation.AddRule("fip-b", new IpRule(32769, IpPrefix.host("10.0.0.6"), 1))));
      new LaneRunner(runner, LinuxOptions.defaults()).run(actions);
      assertThat(calls()).containsExactly(
          "CALL ip -n qrouter-a -force -batch -",
          "addr replace 10.0.0.1/24 brd 10.0.0.255 dev qr-1",
          "rule add from 10.0.0.5 lookup 1 priority 32768",
          "CALL ip -n fip-b -force -batch -",
          "addr replace 172.24.0.2/16 brd 172.24.255.255 dev fg-1",
          "rule add from 10.0.0.6 lookup 1 priority 32769");
    }
  }
  @Test
  @DisplayName("a qrouter- and the fip- its veth joins it to are one lane, yet after the host lines each namespace's batch runs at once with the other's")
  void namespacesOfALaneRunAtOnce() throws IOException {
    // Each namespace's batch waits (at most 10 s) until the other's has started: run one after the
    // other, the first would wait for nothing and fail.
    Path script = dir.resolve("meet.sh");
    Files.writeString(script, """
        d="$(dirname "$0")"
        echo "CALL $*" >> "$d/calls.log"
        cat > /dev/null
        [ "$1 $2" = "ip -n" ] || exit 0
        touch "$d/$3.started"
        other=fip-b; [ "$3" = fip-b ] && other=qrouter-a
        for i in $(seq 100); do [ -e "$d/$other.started" ] && exit 0; sleep 0.1; done
        echo "$3 ran alone" >&2; exit 1
        """);
    Plan plan = new Plan(List.of(
        new Operation.CreateNamespace("qrouter-a"),
        new Operation.CreateNamespace("fip-b"),
        new Operation.CreateVethPair("qrouter-a", "rfp-1", "fip-b", "fpr-1"),
        new Operation.AddAddress("qrouter-a", "rfp-1", IpPrefix.parse("169.254.106.114/31")),
        new Operation.AddAddress("fip-b", "fpr-1", IpPrefix.parse("169.254.106.115/31"))));
    assertThat(plan.lanes()).hasSize(1);
    CommandRunner runner = CommandRunner.withPool(new HostShell(List.of("bash", script.toString())), 4);
    LinuxHost host = new LinuxHost("lab", runner, LinuxOptions.defaults().withoutOvs(), false);
    try {
      host.execute(plan);
    } finally {
      host.close();
    }
    assertThat(calls()).containsExactlyInAnyOrder("CALL ip -force -batch -", "CALL ip -n qrouter-a -force -batch -",
        "CALL ip -n fip-b -force -batch -");
  }

  @Test
  @DisplayName("a lane splits into its namespaces, their nat restores and its host commands (flow bundles), but stays whole while a host ip line is among them")
  void splitsByNamespaceOnlyWhenNothingReachesAcross() {
    List<Action> lane = List.of(Action.ip("qrouter-a", List.of("link", "del", "rfp-1")),
        Action.ip("fip-b", List.of("addr", "replace", "169.254.106.115/31", "dev", "fpr-1")),
        Action.exec(Command.of("ovs-ofctl", "-O", "OpenFlow13", "--bundle", "add-flows", "br-int", "-")));
    assertThat(LinuxHost.byNamespace(lane)).hasSize(3);
    Action nat = new Action.Deferred("nat of qrouter-a", "qrouter-a", List::of);
    List<Action> withNat = List.of(lane.get(0), nat, lane.get(1));
    assertThat(LinuxHost.byNamespace(withNat)).containsExactly(List.of(lane.get(0)), List.of(nat), List.of(lane.get(1)));
    List<Action> withHostLine = List.of(Action.ip("qrouter-a", List.of("link", "set", "lo", "up")),
        Action.ip("", List.of("link", "set", "dev", "qr-1", "netns", "qrouter-a")));
    assertThat(LinuxHost.byNamespace(withHostLine)).containsExactly(withHostLine);
  }
}

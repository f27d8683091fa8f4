package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.IpRule;
import io.dvr.agent.reconcile.Operation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batching and resuming, against a stand-in for ip that logs its batches and fails like iproute2 does. */
class LaneRunnerTest {
  @TempDir
  Path dir;

  /** A host shell whose "ip" logs each batch and fails the first line holding 'lookup 16' once with File exists. */
  private CommandRunner fakeIp() throws IOException {
    Path script = dir.resolve("fake.sh");
    Files.writeString(script, """
        log="$(dirname "$0")/calls.log"
        echo "CALL $*" >> "$log"
        [ "$1" = ip ] || exit 0
        n=0
        while IFS= read -r line; do
          n=$((n+1)); echo "$line" >> "$log"
          case "$line" in
            *"lookup 16"*) if [ ! -e "$log.once" ]; then touch "$log.once"; echo "RTNETLINK answers: File exists" >&2; echo "Command failed -:$n" >&2; exit 1; fi ;;
            *"lookup 17"*) echo "RTNETLINK answers: Invalid argument" >&2; echo "Command failed -:$n" >&2; exit 1 ;;
          esac
        done
        """);
    return CommandRunner.withPool(new HostShell(List.of("bash", script.toString())), 1);
  }

  private List<String> calls() throws IOException {
    return Files.readAllLines(dir.resolve("calls.log"));
  }

  @Test
  @DisplayName("ip lines of one namespace go in one batch; a tolerated 'File exists' resumes after its line")
  void batchesAndResumes() throws IOException {
    try (CommandRunner runner = fakeIp()) {
      OperationCompiler compiler = new OperationCompiler(runner, LinuxOptions.defaults());
      List<Action> actions = compiler.compile(List.of(
          new Operation.AddRule("qrouter-a", new IpRule(32768, IpPrefix.host("10.0.0.5"), 16)),
          new Operation.AddRule("qrouter-a", new IpRule(32769, IpPrefix.host("10.0.0.6"), 1)),
          new Operation.SetSysctl("qrouter-a", "net.ipv4.ip_forward", "1"),
          new Operation.SetSysctl("qrouter-a", "net.ipv4.conf.all.send_redirects", "0")));
      new LaneRunner(runner, LinuxOptions.defaults()).run(actions);
      assertThat(calls()).containsExactly(
          "CALL ip -n qrouter-a -batch -",
          "rule add from 10.0.0.5 lookup 16 priority 32768",
          "CALL ip -n qrouter-a -batch -",
          "rule add from 10.0.0.6 lookup 1 priority 32769",
          "CALL ip netns exec qrouter-a sysctl -w -q net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0");
    }
  }

  @Test
  @DisplayName("an error that is not tolerated stops the lane with the failing line marked")
  void stopsOnRealErrors() throws IOException {
    try (CommandRunner runner = fakeIp()) {
      List<Action> actions = new OperationCompiler(runner, LinuxOptions.defaults()).compile(List.of(
          new Operation.AddRule("qrouter-a", new IpRule(40000, IpPrefix.host("10.0.0.7"), 17)),
          new Operation.SetSysctl("qrouter-a", "net.ipv4.ip_forward", "1")));
      assertThatThrownBy(() -> new LaneRunner(runner, LinuxOptions.defaults()).run(actions))
          .isInstanceOf(CommandFailedException.class).hasMessageContaining("Invalid argument")
          .hasMessageContaining("> 1: rule add from 10.0.0.7 lookup 17 priority 40000");
      assertThat(calls()).noneMatch(l -> l.contains("sysctl"));
    }
  }
}

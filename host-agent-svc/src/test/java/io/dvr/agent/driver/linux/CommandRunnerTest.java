package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class CommandRunnerTest {
  private static CommandRunner runner;

  @BeforeAll
  static void start() {
    runner = CommandRunner.withPool(HostShell.local(), 2);
  }

  @AfterAll
  static void stop() {
    runner.close();
  }

  @Test
  @DisplayName("stdin goes in, stdout and stderr come back apart, and arguments are never parsed by a shell")
  void capturesOutput() {
    CommandResult r = runner.run(Command.of("sh", "-c", "cat; echo oops >&2", "x").withStdin("a b; $(c)\n"));
    assertThat(r.stdout()).isEqualTo("a b; $(c)\n");
    assertThat(r.stderr()).isEqualTo("oops\n");
    assertThat(runner.run(Command.of("echo", "$HOME", "a;b")).stdout()).isEqualTo("$HOME a;b\n");
  }

  @Test
  @DisplayName("a failure carries the command line, the exit code and the stderr lines")
  void failureCarriesEverything() {
    assertThatThrownBy(() -> runner.run(Command.of("sh", "-c", "echo first >&2; echo second >&2; exit 3")))
        .isInstanceOfSatisfying(CommandFailedException.class, e -> {
          assertThat(e.exitCode()).isEqualTo(3);
          assertThat(e.stderrLines()).containsExactly("first", "second");
          assertThat(e.commandLine()).isEqualTo("sh -c 'echo first >&2; echo second >&2; exit 3'");
        });
  }

  @Test
  @DisplayName("closing while processes run kills them, waits for their threads, and removes the scratch directory")
  void closesWhileRunning() throws Exception {
    CommandRunner busy = CommandRunner.withPool(HostShell.local(), 2);
    var running = List.of(busy.submit(Command.of("sleep", "30")), busy.submit(Command.of("sleep", "30")));
    while (busy.processesStarted() < 2) {
      Thread.onSpinWait();
    }
    long start = System.nanoTime();
    busy.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(busy.scratch()).doesNotExist();
    running.forEach(f -> assertThat(f).failsWithin(Duration.ofSeconds(5)));
  }

  @Test
  @DisplayName("a process running past its timeout is killed and reported")
  void timesOut() {
    long start = System.nanoTime();
    assertThatThrownBy(() -> runner.run(Command.of("sleep", "10").withTimeout(Duration.ofMillis(200))))
        .isInstanceOf(CommandFailedException.class).hasMessageContaining("timed out after 200 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  @DisplayName("a host shell prefixes every command; a value with a newline is refused when the command is made")
  void prefixesAndValidates() {
    HostShell shell = HostShell.nsenter("/run/netns/lab-a", "/run/labnet/ns/a.mnt", "/run/labnet/ns/a.uts");
    assertThat(shell.wrap(Command.of("ip", "netns")).argv()).containsExactly("nsenter", "--net=/run/netns/lab-a",
        "--mount=/run/labnet/ns/a.mnt", "--uts=/run/labnet/ns/a.uts", "--", "ip", "netns");
    assertThatThrownBy(() -> Command.of("ip", "link\nset")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Args.device("qr-0123456789abcd")).hasMessageContaining("device name");
    assertThatThrownBy(() -> new Action.Ip("", List.of("link", "del", "a b"), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("the blocking call refuses an event-loop thread; submit runs on the pool instead")
  void neverOnTheEventLoop(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      ctx.verify(() -> assertThatThrownBy(() -> runner.run(Command.of("true")))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("event-loop"));
      runner.submit(Command.of("echo", "ok")).whenComplete((r, err) -> ctx.verify(() -> {
        assertThat(err).isNull();
        assertThat(r.stdout()).isEqualTo("ok\n");
        ctx.completeNow();
      }));
    });
  }
}

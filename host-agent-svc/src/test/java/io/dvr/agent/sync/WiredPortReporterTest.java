package io.dvr.agent.sync;

import static io.dvr.agent.sync.SyncTesting.on;
import static io.dvr.agent.sync.SyncTesting.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.agent.sync.SyncTesting.Answers;
import io.dvr.agent.sync.WiredPortReporter.Idle;
import io.dvr.agent.sync.WiredPortReporter.Reporting;
import io.dvr.agent.sync.WiredPortReporter.ReportingThenAgain;
import io.dvr.agent.sync.WiredPortReporter.Stopped;
import io.dvr.agent.sync.WiredPortReporter.WaitingToRetry;
import io.dvr.proto.v1.PortsWired;
import io.dvr.proto.v1.PortsWiredAck;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class WiredPortReporterTest {
  private static final PortsWiredAck ACK = PortsWiredAck.newBuilder().setChanged(1).build();

  private final Answers<PortsWired, PortsWiredAck> control = new Answers<>();
  private final AtomicReference<Set<String>> wired = new AtomicReference<>(Set.of());

  private WiredPortReporter reporter(SyncContext ctx, long retryMillis) {
    return new WiredPortReporter(ctx, wired::get, control, retryMillis);
  }

  @Test
  @DisplayName("the first report is always sent; later ones only when the wired ports changed since the last acknowledged")
  void reportsOnlyChanges(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    WiredPortReporter reporter = reporter(ctx, 600_000);
    run(ctx, reporter::request);
    var first = control.next();
    assertThat(first.request().getHost()).isEqualTo(SyncTesting.HOST);
    assertThat(first.request().getPortIdsList()).as("nothing wired is news too").isEmpty();
    run(ctx, () -> first.reply().complete(ACK));
    assertThat(on(ctx, reporter::acknowledged)).contains(new TreeSet<>());
    run(ctx, reporter::request);
    assertThat(control.none()).as("unchanged: not reported").isTrue();
    assertThat(on(ctx, reporter::state)).isEqualTo(new Idle());
    wired.set(Set.of("p2", "p1"));
    run(ctx, reporter::request);
    var second = control.next();
    assertThat(second.request().getPortIdsList()).containsExactly("p1", "p2");
    run(ctx, () -> second.reply().complete(ACK));
    run(ctx, reporter::request);
    assertThat(control.none()).isTrue();
  }

  @Test
  @DisplayName("a failed report is sent again after the retry delay, and only an acknowledgement counts")
  void failedReportIsRetried(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    wired.set(Set.of("p1"));
    WiredPortReporter reporter = reporter(ctx, 5);
    run(ctx, reporter::request);
    var failing = control.next();
    assertThat(on(ctx, () -> {
      failing.reply().fail("scheduler gone");
      return reporter.state();
    })).isInstanceOf(WaitingToRetry.class);
    assertThat(on(ctx, reporter::acknowledged)).isEmpty();
    var retried = control.next();
    assertThat(retried.request().getPortIdsList()).containsExactly("p1");
    run(ctx, () -> retried.reply().complete(ACK));
    assertThat(on(ctx, reporter::acknowledged)).contains(new TreeSet<>(Set.of("p1")));
  }

  @Test
  @DisplayName("asked again while a report is on its way, it reads the wired ports again after it")
  void askedWhileReporting(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    WiredPortReporter reporter = reporter(ctx, 600_000);
    run(ctx, reporter::request);
    var first = control.next();
    wired.set(Set.of("p1"));
    run(ctx, reporter::request);
    assertThat(on(ctx, reporter::state)).isEqualTo(new ReportingThenAgain(new TreeSet<>()));
    assertThat(control.none()).as("one report at a time").isTrue();
    run(ctx, () -> first.reply().complete(ACK));
    var second = control.next();
    assertThat(second.request().getPortIdsList()).containsExactly("p1");
    assertThat(on(ctx, reporter::state)).isEqualTo(new Reporting(new TreeSet<>(Set.of("p1"))));
  }

  @Test
  @DisplayName("after stop nothing is reported and a late acknowledgement is not taken")
  void stopped(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    WiredPortReporter reporter = reporter(ctx, 600_000);
    run(ctx, reporter::request);
    var call = control.next();
    run(ctx, reporter::stop);
    run(ctx, () -> call.reply().complete(ACK));
    run(ctx, reporter::request);
    assertThat(control.none()).isTrue();
    assertThat(on(ctx, reporter::acknowledged)).isEqualTo(Optional.empty());
    assertThat(on(ctx, reporter::state)).isEqualTo(new Stopped());
  }

  @Test
  @DisplayName("a request off the sync's context is refused, naming the thread")
  void ownedByItsContext(Vertx vertx) {
    WiredPortReporter reporter = reporter(SyncTesting.context(vertx), 600_000);
    assertThatThrownBy(reporter::request).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(Thread.currentThread().getName());
  }
}

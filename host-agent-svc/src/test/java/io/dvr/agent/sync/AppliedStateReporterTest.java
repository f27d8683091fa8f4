package io.dvr.agent.sync;

import static io.dvr.agent.sync.SyncTesting.on;
import static io.dvr.agent.sync.SyncTesting.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.dvr.agent.sync.AppliedStateReporter.Idle;
import io.dvr.agent.sync.AppliedStateReporter.Quiet;
import io.dvr.agent.sync.AppliedStateReporter.Reporting;
import io.dvr.agent.sync.SyncTesting.Answers;
import io.dvr.proto.v1.AppliedRouter;
import io.dvr.proto.v1.HostApplied;
import io.dvr.proto.v1.HostAppliedAck;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class AppliedStateReporterTest {
  private static final HostAppliedAck ACK = HostAppliedAck.getDefaultInstance();

  private final Answers<HostApplied, HostAppliedAck> control = new Answers<>();

  /** What the host applied: router r1 as of {@code generation}, at second {@code at}. */
  private static HostApplied applied(long generation, long at) {
    return HostApplied.newBuilder().setHost(SyncTesting.HOST).setGeneration(generation)
        .setAppliedAt(Timestamp.newBuilder().setSeconds(at))
        .addRouters(AppliedRouter.newBuilder().setRouterId("r1").setGeneration(generation)).build();
  }

  /** A reporter whose failed reports are not retried within a test. */
  private AppliedStateReporter reporter(SyncContext ctx, long refreshMillis) {
    return new AppliedStateReporter(ctx, control, 600_000, refreshMillis);
  }

  private void sentAndAcknowledged(SyncContext ctx, AppliedStateReporter reporter, HostApplied report) {
    run(ctx, () -> reporter.report(report));
    var call = control.next();
    assertThat(call.request()).isEqualTo(report);
    run(ctx, () -> call.reply().complete(ACK));
  }

  @Test
  @DisplayName("a report that only moves the time of the last apply waits for the refresh delay;"
      + " one that says anything new is sent at once, and replaces the waiting one")
  void onlyNewsIsSentAtOnce(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    AppliedStateReporter reporter = reporter(ctx, 600_000);
    sentAndAcknowledged(ctx, reporter, applied(10, 1));

    // An ARP entry patched and applied: the same copies, a later time.
    run(ctx, () -> reporter.report(applied(10, 2)));
    assertThat(control.none()).as("only the time moved: not sent now").isTrue();
    assertThat(on(ctx, reporter::state)).isInstanceOf(Quiet.class);

    // A fetched copy applied: news, sent at once, with the latest time.
    run(ctx, () -> reporter.report(applied(12, 3)));
    var second = control.next();
    assertThat(second.request()).isEqualTo(applied(12, 3));
    assertThat(on(ctx, reporter::state)).isEqualTo(new Reporting(false));
    run(ctx, () -> second.reply().complete(ACK));
    assertThat(on(ctx, reporter::state)).isEqualTo(new Idle());

    // A failure is news; so is the success after it.
    HostApplied failing = applied(12, 3).toBuilder().setError("RTNETLINK answers: File exists")
        .setFailedAt(Timestamp.newBuilder().setSeconds(4)).build();
    run(ctx, () -> reporter.report(failing));
    var third = control.next();
    assertThat(third.request().getError()).isNotEmpty();
    run(ctx, () -> third.reply().complete(ACK));
    run(ctx, () -> reporter.report(applied(12, 5)));
    assertThat(control.next().request()).isEqualTo(applied(12, 5));
  }

  @Test
  @DisplayName("the report that only moved the time is sent once the refresh delay has passed")
  void timeAloneIsSentAfterTheRefreshDelay(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    AppliedStateReporter reporter = reporter(ctx, 50);
    sentAndAcknowledged(ctx, reporter, applied(10, 1));
    run(ctx, () -> reporter.report(applied(10, 2)));
    run(ctx, () -> reporter.report(applied(10, 3)));
    var refreshed = control.next();
    assertThat(refreshed.request()).as("the latest, once").isEqualTo(applied(10, 3));
    run(ctx, () -> refreshed.reply().complete(ACK));
    assertThat(control.none()).isTrue();
  }

  @Test
  @DisplayName("asked while one is on its way, a report that only moves the time waits; one with news follows at once")
  void newerWhileReporting(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    AppliedStateReporter reporter = reporter(ctx, 600_000);
    run(ctx, () -> reporter.report(applied(10, 1)));
    var first = control.next();
    run(ctx, () -> reporter.report(applied(10, 2)));
    run(ctx, () -> first.reply().complete(ACK));
    assertThat(control.none()).isTrue();
    assertThat(on(ctx, reporter::state)).isInstanceOf(Quiet.class);

    run(ctx, () -> reporter.report(applied(11, 3)));
    var second = control.next();
    run(ctx, () -> reporter.report(applied(12, 4)));
    run(ctx, () -> second.reply().complete(ACK));
    assertThat(control.next().request()).isEqualTo(applied(12, 4));
  }

  @Test
  @DisplayName("before any acknowledgement every report is sent: the control plane may hold nothing of the host")
  void firstReportsAreSent(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    AppliedStateReporter reporter = reporter(ctx, 600_000);
    run(ctx, () -> reporter.report(applied(10, 1)));
    var failing = control.next();
    run(ctx, () -> failing.reply().fail("api-gateway gone"));
    run(ctx, () -> reporter.report(applied(10, 2)));
    assertThat(control.next().request()).as("nothing acknowledged yet: sent at once").isEqualTo(applied(10, 2));
  }
}

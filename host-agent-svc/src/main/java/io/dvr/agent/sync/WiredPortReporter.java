package io.dvr.agent.sync;

import io.dvr.proto.v1.PortsWired;
import io.dvr.proto.v1.PortsWiredAck;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the control plane which ports the host has wired (Neutron's update_device_up/down) when
 * they differ from what it last acknowledged, one report at a time; a failed report is sent
 * again after a retry delay, or at once when asked again meanwhile.
 *
 * <p>States: {@link Idle}, {@link Reporting} (a report on its way), {@link ReportingThenAgain}
 * (asked again while it was: the wired ports are read again after it), {@link WaitingToRetry},
 * {@link Stopped}; plus the ports last acknowledged (none before the first acknowledgement, so
 * the first report is always sent). Used on the sync's context only.
 */
final class WiredPortReporter {
  private static final Logger LOG = LoggerFactory.getLogger(WiredPortReporter.class);

  sealed interface State {}

  record Idle() implements State {}

  record Reporting(SortedSet<String> ports) implements State {}

  record ReportingThenAgain(SortedSet<String> ports) implements State {}

  record WaitingToRetry(long timerId) implements State {}

  record Stopped() implements State {}

  private final SyncContext ctx;
  private final Supplier<Set<String>> wiredPorts;
  private final Function<PortsWired, Future<PortsWiredAck>> control;
  private final long retryMillis;
  private State state = new Idle();
  private Optional<SortedSet<String>> acknowledged = Optional.empty();

  /**
   * @param wiredPorts the ports the host has wired now
   * @param control sends a report to the control plane, with a time limit
   */
  WiredPortReporter(SyncContext ctx, Supplier<Set<String>> wiredPorts, Function<PortsWired, Future<PortsWiredAck>> control,
      long retryMillis) {
    this.ctx = ctx;
    this.wiredPorts = wiredPorts;
    this.control = control;
    this.retryMillis = retryMillis;
  }

  State state() {
    ctx.check("reading the report state");
    return state;
  }

  /** The ports the control plane last acknowledged; empty before the first acknowledgement. */
  Optional<SortedSet<String>> acknowledged() {
    ctx.check("reading the report state");
    return acknowledged;
  }

  /** The wired ports may have changed (an apply succeeded): report them if they did. */
  void request() {
    ctx.check("requesting a port report");
    if (state instanceof Idle) {
      report();
    } else if (state instanceof WaitingToRetry w) {
      ctx.cancel(w.timerId());
      report();
    } else if (state instanceof Reporting r) {
      state = new ReportingThenAgain(r.ports());
    }
    // ReportingThenAgain: already merged; Stopped: nothing is reported any more.
  }

  void stop() {
    ctx.check("stopping the port reporter");
    if (state instanceof WaitingToRetry w) {
      ctx.cancel(w.timerId());
    }
    state = new Stopped();
  }

  private void report() {
    SortedSet<String> ports = new TreeSet<>(wiredPorts.get());
    if (acknowledged.isPresent() && acknowledged.get().equals(ports)) {
      state = new Idle();
      return;
    }
    state = new Reporting(ports);
    Future<PortsWiredAck> ack;
    try {
      ack = control.apply(PortsWired.newBuilder().setHost(ctx.host()).addAllPortIds(ports).build());
    } catch (RuntimeException e) {
      ack = Future.failedFuture(e);
    }
    ctx.back(ack).onSuccess(a -> acknowledged(ports)).onFailure(this::failed);
  }

  private void acknowledged(SortedSet<String> ports) {
    ctx.check("taking a port report acknowledgement");
    if (state instanceof Stopped) {
      return;
    }
    acknowledged = Optional.of(ports);
    boolean again = state instanceof ReportingThenAgain;
    state = new Idle();
    if (again) {
      report();
    }
  }

  private void failed(Throwable err) {
    ctx.check("taking a failed port report");
    if (state instanceof Stopped) {
      return;
    }
    LOG.warn("host {}: reporting its wired ports failed ({}); trying again", ctx.host(), err.getMessage());
    if (state instanceof ReportingThenAgain) {
      report();
    } else {
      state = new WaitingToRetry(ctx.timer(retryMillis, this::retryDue));
    }
  }

  private void retryDue() {
    ctx.check("retrying a port report");
    if (state instanceof WaitingToRetry) {
      report();
    }
  }
}

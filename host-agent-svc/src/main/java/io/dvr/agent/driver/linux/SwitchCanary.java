package io.dvr.agent.driver.linux;

import io.dvr.agent.render.Names;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches br-int's canary flow (table 23, which every full apply sets), as Neutron's OVS agent
 * does: ovs-vswitchd restarted comes back with its bridges and ports, read from its database, but
 * without a single flow, and every VM of the host stays cut off until the agent sets them again.
 * Seen once and then gone, the canary calls back (the agent applies in full, which sets it again);
 * it calls back again only after it was seen again. A look that fails (no br-int yet, OVS down)
 * tells nothing and is ignored. Each look asks br-int's OpenFlow connection how many flows the
 * table holds (the agent's own socket, no process); when that cannot be asked, one {@code
 * ovs-ofctl dump-flows} process. On a thread of its own.
 */
final class SwitchCanary implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SwitchCanary.class);

  private final String host;
  private final CommandRunner runner;
  private final Duration timeout;
  private final Runnable lost;
  /** The canary table's flow count over OpenFlow; empty when it could not be asked. */
  private final Supplier<OptionalInt> overOpenFlow;
  private final ScheduledExecutorService timer;
  /** Only touched on the timer's thread. */
  private boolean seen;

  /** Looks with a process only. @param lost called on the canary's thread; must only hand the news over */
  SwitchCanary(String host, CommandRunner runner, Duration timeout, Runnable lost) {
    this(host, runner, timeout, lost, OptionalInt::empty);
  }

  /**
   * @param overOpenFlow the canary table's flow count asked over OpenFlow, empty when it could not be
   *     asked (then a process looks)
   */
  SwitchCanary(String host, CommandRunner runner, Duration timeout, Runnable lost, Supplier<OptionalInt> overOpenFlow) {
    this.overOpenFlow = overOpenFlow;
    this.host = host;
    this.runner = runner;
    this.timeout = timeout;
    this.lost = lost;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "dvr-ovs-canary-" + host);
      t.setDaemon(true);
      return t;
    });
  }

  void start(long periodMillis) {
    timer.scheduleWithFixedDelay(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  /** One look at the canary (the timer's thread, or a test's). */
  void check() {
    OptionalInt flows;
    try {
      flows = overOpenFlow.get();
    } catch (RuntimeException e) {
      LOG.debug("host {}: canary look over OpenFlow failed: {}", host, e.toString());
      flows = OptionalInt.empty();
    }
    if (flows.isPresent()) {
      saw(flows.getAsInt() > 0);
      return;
    }
    CommandResult dump;
    try {
      dump = runner.exec(Command.of("ovs-ofctl", "-O", "OpenFlow13", "--no-stats", "--no-names", "dump-flows",
          Names.BR_INT, "table=" + Names.INT_CANARY).withTimeout(timeout));
    } catch (RuntimeException e) {
      LOG.debug("host {}: canary check failed: {}", host, e.toString());
      return;
    }
    if (!dump.ok()) {
      return;
    }
    saw(FlowText.parseDump(dump.stdout()).stream().anyMatch(f -> f.table() == Names.INT_CANARY));
  }

  private void saw(boolean present) {
    if (present) {
      seen = true;
    } else if (seen) {
      seen = false;
      LOG.warn("host {}: br-int lost its canary flow (Open vSwitch restarted, or its flows were deleted);"
          + " applying everything again", host);
      lost.run();
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}

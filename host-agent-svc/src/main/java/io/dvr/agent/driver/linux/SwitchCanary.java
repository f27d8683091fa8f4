package io.dvr.agent.driver.linux;

import io.dvr.agent.render.Names;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches br-int's canary flow (table 23, which every full apply sets), as Neutron's OVS agent
 * does: ovs-vswitchd restarted comes back with its bridges and ports, read from its database, but
 * without a single flow, and every VM of the host stays cut off until the agent sets them again.
 * Seen once and then gone, the canary calls back (the agent applies in full, which sets it again);
 * it calls back again only after it was seen again. A dump that fails (no br-int yet, OVS down)
 * tells nothing and is ignored. One process per check, on a thread of its own.
 */
final class SwitchCanary implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SwitchCanary.class);

  private final String host;
  private final CommandRunner runner;
  private final Duration timeout;
  private final Runnable lost;
  private final ScheduledExecutorService timer;
  /** Only touched on the timer's thread. */
  private boolean seen;

  /** @param lost called on the canary's thread; must only hand the news over */
  SwitchCanary(String host, CommandRunner runner, Duration timeout, Runnable lost) {
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
    boolean present = FlowText.parseDump(dump.stdout()).stream().anyMatch(f -> f.table() == Names.INT_CANARY);
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

package io.dvr.agent.driver.linux;

import io.dvr.agent.render.Names;
import java.time.Duration;
import java.util.List;

/**
 * How the Linux driver works on its host: how router ports are plugged, whether Open vSwitch is
 * there (without it, plans with ports or flows fail and no flows are read), which bridges' flows
 * are read, how many lanes run at once, the timeout of one process, and whether changes are
 * batched (one {@code ip -batch}, sysctl, flow bundle and nat restore for many changes; the
 * default) or run one command per change (for benchmarks).
 */
public record LinuxOptions(PlugMode plug, boolean ovs, List<String> bridges, int lanes, Duration timeout,
    boolean batch) {
  public LinuxOptions {
    bridges = List.copyOf(bridges);
    bridges.forEach(Args::name);
    if (lanes < 1) {
      throw new IllegalArgumentException("lanes must be at least 1: " + lanes);
    }
  }

  public LinuxOptions(PlugMode plug, boolean ovs, List<String> bridges, int lanes, Duration timeout) {
    this(plug, ovs, bridges, lanes, timeout, true);
  }

  public static LinuxOptions defaults() {
    return new LinuxOptions(PlugMode.VETH, true, List.of(Names.BR_INT, Names.BR_TUN), 4, Command.DEFAULT_TIMEOUT);
  }

  public LinuxOptions withPlug(PlugMode p) {
    return new LinuxOptions(p, ovs, bridges, lanes, timeout, batch);
  }

  public LinuxOptions withoutOvs() {
    return new LinuxOptions(plug, false, bridges, lanes, timeout, batch);
  }

  public LinuxOptions withLanes(int n) {
    return new LinuxOptions(plug, ovs, bridges, n, timeout, batch);
  }

  /** One process per change: each ip line, sysctl, flow and nat rule as its own command. */
  public LinuxOptions withoutBatching() {
    return new LinuxOptions(plug, ovs, bridges, lanes, timeout, false);
  }
}

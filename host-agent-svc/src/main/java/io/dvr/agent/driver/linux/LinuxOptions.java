package io.dvr.agent.driver.linux;

import io.dvr.agent.render.Names;
import java.time.Duration;
import java.util.List;

/**
 * How the Linux driver works on its host: how router ports are plugged, whether Open vSwitch is
 * there (without it, plans with ports or flows fail and no flows are read), which bridges' flows
 * are read, how many lanes run at once, and the timeout of one process.
 */
public record LinuxOptions(PlugMode plug, boolean ovs, List<String> bridges, int lanes, Duration timeout) {
  public LinuxOptions {
    bridges = List.copyOf(bridges);
    bridges.forEach(Args::name);
    if (lanes < 1) {
      throw new IllegalArgumentException("lanes must be at least 1: " + lanes);
    }
  }

  public static LinuxOptions defaults() {
    return new LinuxOptions(PlugMode.VETH, true, List.of(Names.BR_INT, Names.BR_TUN), 4, Command.DEFAULT_TIMEOUT);
  }

  public LinuxOptions withPlug(PlugMode p) {
    return new LinuxOptions(p, ovs, bridges, lanes, timeout);
  }

  public LinuxOptions withoutOvs() {
    return new LinuxOptions(plug, false, bridges, lanes, timeout);
  }

  public LinuxOptions withLanes(int n) {
    return new LinuxOptions(plug, ovs, bridges, n, timeout);
  }
}

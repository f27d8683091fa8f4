package io.dvr.agent;

import io.dvr.agent.render.TunnelType;
import io.dvr.common.config.Settings;
import java.util.Locale;

/**
 * What the agent is told about its own host, whatever the driver: its name and mode, the type of
 * its tunnels ({@code linux.tunnel-type}, vxlan or gre; the memory driver models them too) and
 * its tunnel endpoint ({@code agent.tunnel-ip}, the address the heartbeat reports; empty: the
 * agent makes no tunnel ports and only reads those others made).
 */
public record HostConfig(String host, String mode, TunnelType tunnelType, String tunnelIp) {
  public HostConfig {
    tunnelIp = tunnelIp == null ? "" : tunnelIp;
  }

  public static HostConfig fromSettings(Settings settings, String host, String mode) {
    String type = settings.get("linux.tunnel-type", "vxlan");
    TunnelType tunnelType;
    try {
      tunnelType = TunnelType.valueOf(type.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("setting linux.tunnel-type (" + Settings.envName("linux.tunnel-type")
          + ") is '" + type + "'; it must be vxlan or gre");
    }
    return new HostConfig(host, mode, tunnelType, settings.get("agent.tunnel-ip", settings.get("linux.tunnel-ip", "")));
  }
}

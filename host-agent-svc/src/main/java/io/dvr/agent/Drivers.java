package io.dvr.agent;

import io.dvr.agent.driver.Hypervisor;
import io.dvr.agent.driver.linux.FactsFile;
import io.dvr.agent.driver.linux.LinuxHost;
import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.driver.memory.SimulatedNova;
import io.dvr.common.config.Settings;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * The drivers an agent can run on, by the value of {@code agent.dataplane}: {@code memory} (a
 * simulated host, the all-in-one lab) and {@code linux} (the host's namespaces, iptables and Open
 * vSwitch). A new driver is one more entry here.
 */
public final class Drivers {
  public static final String SETTING = "agent.dataplane";
  private static final int SIMULATED_HOSTS_THREADS = 20;

  private static final Map<String, BiFunction<Settings, String, HostSetup>> BY_NAME = new TreeMap<>(Map.of(
      "memory", (settings, host) -> memory(new MemoryHost(host), FactsStore.inMemory()),
      "linux", Drivers::linux));

  private Drivers() {}

  /** The driver {@code agent.dataplane} names (default memory), for host {@code host}. */
  public static HostSetup fromSettings(Settings settings, String host) {
    String name = settings.get(SETTING, "memory");
    BiFunction<Settings, String, HostSetup> factory = BY_NAME.get(name);
    if (factory == null) {
      throw new IllegalArgumentException("setting " + SETTING + " (" + Settings.envName(SETTING) + ") is '" + name
          + "'; it must be one of " + String.join(", ", BY_NAME.keySet()));
    }
    return factory.apply(settings, host);
  }

  /** A simulated host, with its facts kept beside it and a simulated Nova plugging its VM ports. */
  public static HostSetup memory(MemoryHost host, FactsStore facts) {
    return new HostSetup(host, facts, new SimulatedNova(host), "dvr-memory-hosts", SIMULATED_HOSTS_THREADS);
  }

  /** A real host; Nova plugs its VM ports, the driver's port monitor tells the agent. */
  public static HostSetup linux(LinuxHost host, FactsStore facts) {
    return new HostSetup(host, facts, Hypervisor.NOVA, "dvr-linux-host-" + host.host(), 1);
  }

  /** The Linux driver from settings, its facts in {@code linux.state-dir} (/var/lib/dvr-agent). */
  private static HostSetup linux(Settings settings, String host) {
    return linux(LinuxHost.fromSettings(settings, host),
        new FactsFile(Path.of(settings.get("linux.state-dir", "/var/lib/dvr-agent")), host));
  }
}

package io.dvr.agent.driver.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * One labnet host for a test class: its own network, mount and UTS namespaces with a private
 * {@code /run/netns} and its own Open vSwitch, made by {@code labnet/host.sh} in a temporary lab
 * directory. Whatever a test creates lives inside it, so {@link #close} removes all of it.
 */
final class LabHost implements AutoCloseable {
  private static final List<String> TOOLS = List.of("ip", "nsenter", "unshare", "mount", "sysctl", "ethtool",
      "iptables-save", "iptables-restore", "xtables-monitor", "stdbuf", "ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-ofctl",
      "ovs-appctl");

  private final String name;
  private final Path labDir;
  private final Path script;
  private final CommandRunner root;

  private LabHost(String name, Path labDir, Path script, CommandRunner root) {
    this.name = name;
    this.labDir = labDir;
    this.script = script;
    this.root = root;
  }

  /** What keeps the lab from running here, in words, or empty when it can run. */
  static Optional<String> missing() {
    List<String> missing = new ArrayList<>();
    if (!"root".equals(System.getProperty("user.name"))) {
      missing.add("root (running as " + System.getProperty("user.name") + ")");
    }
    for (String tool : TOOLS) {
      if (!onPath(tool)) {
        missing.add(tool);
      }
    }
    if (findScript().isEmpty()) {
      missing.add("labnet/host.sh (searched from " + Path.of("").toAbsolutePath() + " upwards)");
    }
    if (!Files.exists(Path.of("/dev/net/tun"))) {
      missing.add("/dev/net/tun");
    }
    return missing.isEmpty() ? Optional.empty()
        : Optional.of("the Linux driver's kernel tests need " + String.join(", ", missing)
            + " (Debian: apt-get install -y openvswitch-switch iproute2 iptables ethtool)");
  }

  static LabHost up() throws IOException {
    String name = "t" + UUID.randomUUID().toString().substring(0, 8).replace("-", "");
    Path dir = Files.createTempDirectory("dvr-labnet-");
    CommandRunner root = CommandRunner.withPool(HostShell.local(), 1);
    LabHost host = new LabHost(name, dir, findScript().orElseThrow(), root);
    try {
      host.script("up");
    } catch (RuntimeException e) {
      host.close();
      throw e;
    }
    return host;
  }

  String name() {
    return name;
  }

  /** Its ovsdb-server's unix socket, reached from this process as the agent reaches a lab host's. */
  Path ovsdbSocket() {
    return LinuxHost.labOvsdbSocket(labDir.toString(), name);
  }

  /** Its ovs-vswitchd's run directory (the bridges' management sockets), reached as the agent reaches a lab host's. */
  Path ovsRunDir() {
    return LinuxHost.labOvsRunDir(labDir.toString(), name);
  }

  HostShell shell() {
    return HostShell.labHost(name, labDir.resolve("ns").toString());
  }

  private void script(String verb) {
    root.run(Command.of("env", "LABNET_DIR=" + labDir, "bash", script.toString(), verb, name));
  }

  @Override
  public void close() {
    try {
      script("down");
    } finally {
      root.close();
    }
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return List.of("/usr/sbin", "/sbin").stream().anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
  }

  private static Optional<Path> findScript() {
    String configured = System.getProperty("labnet.dir");
    if (configured != null) {
      Path p = Path.of(configured, "host.sh");
      return Files.exists(p) ? Optional.of(p) : Optional.empty();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path p = dir.resolve("labnet/host.sh");
      if (Files.exists(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}

package io.dvr.agent.driver.linux;

import io.dvr.agent.render.Names;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The named network namespaces that are alive. {@code ip netns add} bind-mounts the namespace
 * onto its file under {@code /run/netns}; a file without that mount names no namespace (it was
 * left in a container's layer, or on a /run that outlived its mounts, after a kill -9), and every
 * {@code ip -n} on it fails with "Invalid argument". Such a file of ours is removed, so the
 * namespace is created anew; a foreign one is left where it is. Neither is listed.
 */
final class NamespaceFiles {
  private static final Logger LOG = LoggerFactory.getLogger(NamespaceFiles.class);
  private static final List<String> RUN_DIRS = List.of("/run/netns/", "/var/run/netns/");

  private NamespaceFiles() {}

  /** One {@code ip netns list}, and one read of the mount table when there is any name. */
  static List<String> live(CommandRunner runner, Duration timeout) {
    List<String> names = IpJson.namespaces(runner.run(Command.of("ip", "-j", "netns", "list").withTimeout(timeout))
        .stdout());
    if (names.isEmpty()) {
      return names;
    }
    Set<String> mounted = mounted(runner.run(Command.of("cat", "/proc/self/mountinfo").withTimeout(timeout)).stdout());
    for (String name : names) {
      if (!mounted.contains(name) && Names.isOurNamespace(name)) {
        // ip netns del unmounts (nothing here) and unlinks the file.
        CommandResult removed = runner.exec(Command.of("ip", "netns", "del", Args.name(name)).withTimeout(timeout));
        LOG.warn("namespace file /run/netns/{} holds no namespace (left by a killed agent or container): {}", name,
            removed.ok() ? "removed, the namespace is created again" : "could not remove it: " + removed.stderr().strip());
      }
    }
    return names.stream().filter(mounted::contains).toList();
  }

  /** The names under /run/netns where a namespace (nsfs) is mounted, from /proc/self/mountinfo. */
  static Set<String> mounted(String mountinfo) {
    Set<String> out = new TreeSet<>();
    for (String line : mountinfo.split("\n")) {
      int dash = line.indexOf(" - ");
      String[] fields = line.split(" ");
      if (dash < 0 || fields.length < 5 || !line.substring(dash + 3).startsWith("nsfs ")) {
        continue;
      }
      for (String dir : RUN_DIRS) {
        if (fields[4].startsWith(dir) && fields[4].length() > dir.length()) {
          out.add(fields[4].substring(dir.length()));
        }
      }
    }
    return out;
  }
}

package io.dvr.agent.driver.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a long-lived process of a namespace (an ip or iptables-restore session) still works in
 * the namespace of its name: one deleted (or made anew) since the process started is held alive by
 * it but is not the one of that name. Compares the process's network namespace with the name's
 * file as the process's own mount namespace sees it: two reads of {@code /proc}, no process asked.
 */
final class HeldNamespace {
  private HeldNamespace() {}

  static boolean isNamed(long pid, String namespace) {
    try {
      String held = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net")).toString();
      Object inode = Files.getAttribute(Path.of("/proc", Long.toString(pid), "root", "run", "netns",
          Args.name(namespace)), "unix:ino");
      return held.equals("net:[" + inode + "]");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}

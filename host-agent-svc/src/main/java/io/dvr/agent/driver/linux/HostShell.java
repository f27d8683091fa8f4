package io.dvr.agent.driver.linux;

import java.util.List;

/**
 * Where commands run: with no prefix on this machine; with an {@code nsenter} prefix inside one
 * host of the multi-host lab (its network, mount and UTS namespaces, so that its private
 * {@code /run/netns} and its own Open vSwitch are the ones the tools see).
 */
public record HostShell(List<String> prefix) {
  public HostShell {
    prefix = List.copyOf(prefix);
  }

  public static HostShell local() {
    return new HostShell(List.of());
  }

  /** Runs every command as {@code nsenter --net=N --mount=M --uts=U -- CMD}. */
  public static HostShell nsenter(String netns, String mountNs, String utsNs) {
    return new HostShell(List.of("nsenter", "--net=" + Args.path(netns), "--mount=" + Args.path(mountNs),
        "--uts=" + Args.path(utsNs), "--"));
  }

  /** A lab host as labnet/up.sh makes it: netns {@code lab-<host>}, namespace files in {@code nsDir}. */
  public static HostShell labHost(String host, String nsDir) {
    return nsenter("/run/netns/lab-" + Args.name(host), nsDir + "/" + host + ".mnt", nsDir + "/" + host + ".uts");
  }

  public Command wrap(Command c) {
    return c.prefixed(prefix);
  }

  @Override
  public String toString() {
    return prefix.isEmpty() ? "local" : String.join(" ", prefix);
  }
}

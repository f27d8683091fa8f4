package io.dvr.bench;

import io.dvr.agent.HostAgentService;
import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.model.Neighbour;
import io.dvr.agent.render.Names;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * One simulated host: its in-memory kernel and OVS, the agent's facts (which survive an agent
 * restart, like a state file) and the agent currently running on it. The host model is only
 * touched under its own lock, as the agent's pipeline does.
 */
final class SimHost {
  final String name;
  final String mode;
  final MemoryHost memory;
  /** The simulated underlay address: the peers' br-tun get a tunnel port to it, as on real hosts. */
  final String tunnelIp;
  final WatchedFacts facts = new WatchedFacts();
  volatile HostAgentService agent;
  volatile String deployment;

  private static final AtomicInteger HOSTS_MADE = new AtomicInteger();

  SimHost(String name, String mode) {
    this(name, mode, underlay(HOSTS_MADE.getAndIncrement()));
  }

  private SimHost(String name, String mode, String tunnelIp) {
    this.name = name;
    this.mode = mode;
    this.tunnelIp = tunnelIp;
    this.memory = new MemoryHost(name);
  }

  private static String underlay(int n) {
    return "10.1." + (n / 250) + "." + (n % 250 + 1);
  }

  /** The same host with its kernel state and the agent's state file wiped. */
  SimHost wiped() {
    return new SimHost(name, mode, tunnelIp);
  }

  int qrouterCount() {
    synchronized (memory) {
      return (int) memory.ipNetns().lines().filter(l -> l.startsWith(Names.QROUTER)).count();
    }
  }

  /** The namespace's {@code ip neigh} lines; empty while the namespace does not exist. */
  Set<String> neighbours(String namespace) {
    synchronized (memory) {
      try {
        return memory.ipNeigh(namespace).lines().collect(Collectors.toSet());
      } catch (IllegalArgumentException noSuchNamespace) {
        return Set.of();
      }
    }
  }

  /** Whether the namespace holds exactly this permanent neighbour (one lookup: the probe runs inside applies). */
  boolean holdsNeighbour(String namespace, Neighbour expected) {
    return memory.neighbour(namespace, expected.key()).filter(expected::equals).isPresent();
  }
}

package io.dvr.agent.driver;

import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.reconcile.Operation;
import io.dvr.agent.reconcile.Plan;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One host as the agent's pipeline sees it: a driver observes the host into the model and executes
 * plans; it renders nothing, diffs nothing and keeps no facts. Every method blocks: the pipeline
 * calls them on its worker, one at a time, holding the driver as the host's lock.
 */
public interface HostDriver {

  /** The host's name. */
  String host();

  /** Everything the host holds: namespaces (ours in full), and bridges with their flows and ports. */
  HostState observe();

  /**
   * The bridges with their ports only (no flows): what the agent's facts (ofports) come from, read
   * more cheaply than {@link #observe()} between two passes of one apply.
   */
  SortedMap<String, BridgeState> observePorts();

  /**
   * The bridges' ports as the switch last reported them, the agent's own changes included: what a
   * port bound here or a VM plugged needs, read without a round trip where the driver keeps them.
   * A port plugged by others this very moment may be missing; its report then comes through {@link
   * #watch}. The default reads them as {@link #observePorts()} does.
   */
  default SortedMap<String, BridgeState> reportedPorts() {
    return observePorts();
  }

  /**
   * The named namespaces as {@link #observe()} reads them (those that do not exist are absent):
   * what the pipeline reads back after an incremental plan. The default reads the whole host; a
   * driver that can read some namespaces alone does so.
   */
  default SortedMap<String, NamespaceState> observeNamespaces(Set<String> names) {
    SortedMap<String, NamespaceState> out = new TreeMap<>();
    observe().namespaces().forEach((name, ns) -> {
      if (names.contains(name)) {
        out.put(name, ns);
      }
    });
    return out;
  }

  /** Executes the plan's operations; each is safe to repeat. Throws on the first failure, naming it. */
  void execute(Plan plan);

  /**
   * The operation kinds this driver has a handler for: every permitted subclass of the sealed
   * {@link Operation} (a test holds every driver to that).
   */
  Set<Class<? extends Operation>> handledOperations();

  /** The host's state in the native text formats, titled sections, for one namespace or (empty) all of it. */
  Map<String, String> listing(String namespace);

  /**
   * Calls back, on any thread, when the host changed under the agent in a way the wanted state
   * depends on (a VM port plugged or unplugged). A simulated host changes only through the agent
   * and its simulated hypervisor: no call back.
   */
  default void watch(Runnable hostChanged) {}

  /**
   * Calls back, on any thread, when the host's switch lost the flows the agent set on it (Open
   * vSwitch restarted: its bridges and ports come back from its database, its flows do not), so
   * that the agent applies everything again.
   */
  default void watchSwitch(Runnable flowsLost) {}

  /** Releases what the driver holds (processes, pools, monitors). */
  default void close() {}
}

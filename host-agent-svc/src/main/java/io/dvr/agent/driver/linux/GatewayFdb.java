package io.dvr.agent.driver.linux;

import io.dvr.agent.model.Device;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.reconcile.Operation;
import io.dvr.agent.reconcile.Plan;
import io.dvr.agent.render.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * While a host holds a snat- gateway address, the qg- MAC is pinned to the qg- port in br-ex's
 * MAC table (a static entry, {@code ovs-appctl fdb/add}). The qg- MAC of an HA router is the same
 * on each of its SNAT hosts: any frame another of them sends on the external network (the new
 * active's ARP requests during a drain) reaches this host's br-ex from its uplink and would
 * teach it that the MAC is out there, and br-ex would send the replies this host must still take
 * back out. Learning from this host's own frames puts it right only later: Open vSwitch learns
 * lazily from cached flows. Like the announcements this is an action after the plan, best effort.
 * The pin is set when the address is claimed (on a device the plan makes, or one the host had:
 * an HA standby promoted) and goes when the address does, or with the port; an agent restarted
 * on a host that already holds the address does not set it again (learning applies until then).
 */
final class GatewayFdb {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayFdb.class);

  private GatewayFdb() {}

  /** A pin to set ({@code add}) or remove on br-ex: the qg- device and its MAC. */
  record Pin(boolean add, String device, String mac) {}

  /** The pins a plan changes: each qg- address claimed or given up in a snat- namespace, with its device's MAC. */
  static List<Pin> pins(Plan plan, HostState before) {
    List<Pin> out = new ArrayList<>();
    for (Operation op : plan.operations()) {
      if (op instanceof Operation.AddAddress a && isGateway(a.namespace(), a.device())) {
        macSet(plan, a.namespace(), a.device()).or(() -> macOf(before, a.namespace(), a.device()))
            .ifPresent(mac -> out.add(new Pin(true, a.device(), mac)));
      } else if (op instanceof Operation.RemoveAddress r && isGateway(r.namespace(), r.device())) {
        macOf(before, r.namespace(), r.device()).ifPresent(mac -> out.add(new Pin(false, r.device(), mac)));
      }
    }
    return out;
  }

  static void apply(CommandRunner runner, List<Pin> pins) {
    for (Pin p : pins) {
      String device = Args.device(p.device());
      String mac = Args.mac(p.mac());
      Command command = p.add() ? Command.of("ovs-appctl", "fdb/add", Names.BR_EX, device, "0", mac)
          : Command.of("ovs-appctl", "fdb/del", Names.BR_EX, "0", mac);
      try {
        CommandResult result = runner.exec(command);
        if (!result.ok()) {
          LOG.warn("{} failed (exit {}): {}", String.join(" ", command.argv()), result.exitCode(),
              (result.stderr() + " " + result.stdout()).strip());
        }
      } catch (RuntimeException e) {
        LOG.warn("{} failed: {}", String.join(" ", command.argv()), e.toString());
      }
    }
  }

  private static boolean isGateway(String namespace, String device) {
    return namespace.startsWith(Names.SNAT) && device.startsWith(Names.QG);
  }

  /** The MAC the plan gives the device (one it makes, or whose MAC it changes). */
  private static Optional<String> macSet(Plan plan, String namespace, String device) {
    for (Operation op : plan.operations()) {
      if (op instanceof Operation.SetLink s && s.namespace().equals(namespace) && s.device().equals(device)
          && s.mac() != null && !s.mac().isEmpty()) {
        return Optional.of(s.mac());
      }
    }
    return Optional.empty();
  }

  private static Optional<String> macOf(HostState before, String namespace, String device) {
    NamespaceState ns = before.namespaces().get(namespace);
    Device d = ns == null ? null : ns.devices().get(device);
    return d == null || d.mac() == null || d.mac().isEmpty() ? Optional.empty() : Optional.of(d.mac());
  }
}

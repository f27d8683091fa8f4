package io.dvr.agent.driver.linux;

import io.dvr.agent.model.Device;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.reconcile.Operation;
import io.dvr.agent.reconcile.Plan;
import io.dvr.agent.render.Names;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
 * on a host that already holds the address, or an ovs-vswitchd restarted under it (its MAC
 * table, static entries too, starts empty), sets it again at the next full reading of the host
 * ({@link #held}, {@link #missing}). The MAC comes from the plan, else from the last observed state, else from the kernel: a
 * standby made by a plan that was not read back (the pipeline diffs against what it rendered)
 * is not in the last observed state, and a promotion without a pin loses the replies the old
 * active host still takes in a drain.
 */
final class GatewayFdb {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayFdb.class);

  private GatewayFdb() {}

  /** A pin to set ({@code add}) or remove on br-ex: the qg- device and its MAC. */
  record Pin(boolean add, String device, String mac) {}

  /** Reads a device's MAC where the plan and the last observed state do not have it. */
  interface MacReader {
    Optional<String> mac(String namespace, String device);
  }

  /** The pins a plan changes: each qg- address claimed or given up in a snat- namespace, with its device's MAC. */
  static List<Pin> pins(Plan plan, HostState before, MacReader kernel) {
    List<Pin> out = new ArrayList<>();
    for (Operation op : plan.operations()) {
      if (op instanceof Operation.AddAddress a && isGateway(a.namespace(), a.device())) {
        macSet(plan, a.namespace(), a.device()).or(() -> macOf(before, a.namespace(), a.device()))
            .or(() -> kernel.mac(a.namespace(), a.device())).ifPresentOrElse(mac -> out.add(new Pin(true, a.device(),
                mac)), () -> LOG.warn("{} in {}: MAC unknown, br-ex not pinned", a.device(), a.namespace()));
      } else if (op instanceof Operation.RemoveAddress r && isGateway(r.namespace(), r.device())) {
        macOf(before, r.namespace(), r.device()).or(() -> kernel.mac(r.namespace(), r.device()))
            .ifPresent(mac -> out.add(new Pin(false, r.device(), mac)));
      }
    }
    return out;
  }

  /** The pins of what a host holds: each qg- device with an address in a snat- namespace (for a restarted agent). */
  static List<Pin> held(HostState observed) {
    List<Pin> out = new ArrayList<>();
    observed.namespaces().forEach((name, ns) -> ns.devices().forEach((dev, d) -> {
      if (isGateway(name, dev) && !d.addresses().isEmpty() && d.mac() != null && !d.mac().isEmpty()) {
        out.add(new Pin(true, dev, d.mac()));
      }
    }));
    return out;
  }

  /** The pins of {@code held} that br-ex's MAC table ({@code ovs-appctl fdb/show br-ex}) has no static entry for. */
  static List<Pin> missing(List<Pin> held, String fdbShow) {
    Set<String> pinned = new HashSet<>();
    fdbShow.lines().map(String::trim).map(l -> l.split("\\s+")).filter(f -> f.length >= 4 && f[3].equals("static"))
        .forEach(f -> pinned.add(f[2].toLowerCase()));
    return held.stream().filter(p -> !pinned.contains(p.mac().toLowerCase())).toList();
  }

  /** Sets and removes the pins; {@code plug} names the br-ex port of a qg- device (with veth, its host end). */
  static void apply(CommandRunner runner, PlugMode plug, List<Pin> pins) {
    for (Pin p : pins) {
      String device = plug.ovsPort(p.device());
      String mac = Args.mac(p.mac());
      Command command = p.add() ? Command.of("ovs-appctl", "fdb/add", Names.BR_EX, device, "0", mac)
          : Command.of("ovs-appctl", "fdb/del", Names.BR_EX, "0", mac);
      try {
        CommandResult result = runner.exec(command);
        if (p.add() && !result.ok() && result.stderr().contains("no ofp port")) {
          // A port the plan just added: vswitchd has not made its OpenFlow port yet. Its ofport
          // appears in the database once it has; wait for that (bounded), then pin.
          runner.exec(Command.of("ovs-vsctl", "--timeout=2", "wait-until", "Interface", device, "ofport>0"));
          result = runner.exec(command);
        }
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

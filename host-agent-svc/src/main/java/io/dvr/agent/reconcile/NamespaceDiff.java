package io.dvr.agent.reconcile;

import io.dvr.agent.model.Device;
import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.IpRule;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.NatTable;
import io.dvr.agent.model.Neighbour;
import io.dvr.agent.model.Route;
import io.dvr.agent.reconcile.Operation.AddAddress;
import io.dvr.agent.reconcile.Operation.AddRule;
import io.dvr.agent.reconcile.Operation.CreateInternalPort;
import io.dvr.agent.reconcile.Operation.CreateVethPair;
import io.dvr.agent.reconcile.Operation.RemoveAddress;
import io.dvr.agent.reconcile.Operation.RemoveNeighbour;
import io.dvr.agent.reconcile.Operation.RemoveRoute;
import io.dvr.agent.reconcile.Operation.RemoveRule;
import io.dvr.agent.reconcile.Operation.ReplaceNat;
import io.dvr.agent.reconcile.Operation.ReplaceNeighbour;
import io.dvr.agent.reconcile.Operation.ReplaceRoute;
import io.dvr.agent.reconcile.Operation.SetLink;
import io.dvr.agent.reconcile.Operation.SetSysctl;
import io.dvr.agent.reconcile.Steps.Step;
import io.dvr.agent.render.Names;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Diffs one namespace that stays. {@code kept} is the observed namespace without the devices
 * being deleted (and what goes with them), so what remains to plan is creation and repair.
 */
final class NamespaceDiff {
  private NamespaceDiff() {}

  static void diff(NamespaceState want, NamespaceState kept, Steps steps) {
    String ns = want.name();
    Set<Route> kernelAdds = new HashSet<>();
    Set<Route> kernelRemoves = new HashSet<>();
    for (Device d : want.devices().values()) {
      Device have = kept.devices().get(d.name());
      Set<IpPrefix> haveAddresses = have == null ? Set.of() : have.addresses();
      if (have == null) {
        create(ns, d, steps);
        steps.add(Step.SET_LINK, new SetLink(ns, d.name(), d.mac(), d.mtu()));
      } else if ((!d.mac().isEmpty() && !d.mac().equals(have.mac())) || d.mtu() != have.mtu()) {
        steps.add(Step.SET_LINK, new SetLink(ns, d.name(), d.mac(), d.mtu()));
      }
      for (IpPrefix a : d.addresses()) {
        if (!haveAddresses.contains(a)) {
          steps.add(Step.ADD_ADDRESS, new AddAddress(ns, d.name(), a));
          kernelAdds.add(Route.connected(a, d.name()));
        }
      }
      for (IpPrefix a : haveAddresses) {
        if (!d.addresses().contains(a)) {
          steps.add(Step.REMOVE_ADDRESS, new RemoveAddress(ns, d.name(), a));
          kernelRemoves.add(Route.connected(a, d.name()));
        }
      }
    }
    want.sysctls().forEach((key, value) -> {
      if (!value.equals(kept.sysctls().get(key))) {
        steps.add(Step.SET_SYSCTL, new SetSysctl(ns, key, value));
      }
    });
    routes(want, kept, kernelAdds, kernelRemoves, steps);
    rules(want, kept, steps);
    neighbours(want, kept, steps);
    NatTable ours = kept.nat().owned(Names::isOurChain);
    if (!want.nat().equals(ours)) {
      steps.add(Step.REPLACE_NAT, new ReplaceNat(ns, want.nat()));
    }
  }

  private static void create(String ns, Device d, Steps steps) {
    switch (d.kind()) {
      case OVS_INTERNAL -> steps.add(Step.CREATE_DEVICE, new CreateInternalPort(ns, d.name(), d.bridge()));
      case VETH -> {
        // One operation makes both ends; it is planned from the end that sorts first.
        var self = new Reconciler.DeviceRef(ns, d.name());
        var peer = new Reconciler.DeviceRef(d.peerNamespace(), d.peer());
        if (self.compareTo(peer) < 0) {
          steps.add(Step.CREATE_DEVICE, new CreateVethPair(ns, d.name(), d.peerNamespace(), d.peer()));
        }
      }
      default -> throw new IllegalArgumentException("namespace " + ns + ": cannot create " + d.kind() + " device "
          + d.name());
    }
  }

  /** Prefix routes of addresses come and go with the addresses: the kernel does that, not the plan. */
  private static void routes(NamespaceState want, NamespaceState kept, Set<Route> kernelAdds,
      Set<Route> kernelRemoves, Steps steps) {
    Map<Route.Key, Route> have = new HashMap<>();
    kept.routes().forEach(r -> have.put(r.key(), r));
    Set<Route.Key> wanted = new HashSet<>();
    for (Route r : want.routes()) {
      wanted.add(r.key());
      boolean kernelMakesIt = kernelAdds.contains(r) && !have.containsKey(r.key());
      if (!r.equals(have.get(r.key())) && !kernelMakesIt) {
        steps.add(Step.REPLACE_ROUTE, new ReplaceRoute(want.name(), r));
      }
    }
    for (Route r : kept.routes()) {
      if (Names.isOurDevice(r.dev()) && !wanted.contains(r.key()) && !kernelRemoves.contains(r)) {
        steps.add(Step.REMOVE_ROUTE, new RemoveRoute(want.name(), r));
      }
    }
  }

  /** Our rules: FIP rules (table 16) and per-subnet rules (priority equal to table). */
  private static void rules(NamespaceState want, NamespaceState kept, Steps steps) {
    for (IpRule r : want.rules()) {
      if (!kept.rules().contains(r)) {
        steps.add(Step.ADD_RULE, new AddRule(want.name(), r));
      }
    }
    for (IpRule r : kept.rules()) {
      boolean ours = r.table() == Names.FIP_TABLE || r.priority() == r.table();
      if (ours && !want.rules().contains(r)) {
        steps.add(Step.REMOVE_RULE, new RemoveRule(want.name(), r));
      }
    }
  }

  private static void neighbours(NamespaceState want, NamespaceState kept, Steps steps) {
    neighbours(want.name(), want.neighbours(), kept.neighbours(), steps);
  }

  /**
   * The neighbours of some keys only (address and device): what the whole diff plans for them,
   * when nothing else of the namespace changed.
   */
  static void neighbours(NamespaceState want, NamespaceState have, Collection<Neighbour.Key> keys, Steps steps) {
    neighbours(want.name(), want.neighboursOf(keys), have.neighboursOf(keys), steps);
  }

  /** Each wanted entry replaces what differs under its key; an entry on our device under a key nobody wants goes. */
  private static void neighbours(String ns, Collection<Neighbour> want, Collection<Neighbour> kept, Steps steps) {
    Map<Neighbour.Key, Neighbour> have = new HashMap<>();
    kept.forEach(n -> have.put(n.key(), n));
    Set<Neighbour.Key> wanted = new HashSet<>();
    for (Neighbour n : want) {
      wanted.add(n.key());
      if (!n.equals(have.get(n.key()))) {
        steps.add(Step.REPLACE_NEIGHBOUR, new ReplaceNeighbour(ns, n));
      }
    }
    for (Neighbour n : kept) {
      if (Names.isOurDevice(n.dev()) && !wanted.contains(n.key())) {
        steps.add(Step.REMOVE_NEIGHBOUR, new RemoveNeighbour(ns, n));
      }
    }
  }
}

package io.dvr.agent.reconcile;

import io.dvr.agent.model.Device;
import io.dvr.agent.model.DeviceKind;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.reconcile.Operation.CreateNamespace;
import io.dvr.agent.reconcile.Operation.DeleteDevice;
import io.dvr.agent.reconcile.Operation.DeleteNamespace;
import io.dvr.agent.reconcile.Steps.Step;
import io.dvr.agent.render.Names;
import io.dvr.agent.model.Neighbour;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Diffs a desired host state against an observed one into an ordered plan. */
public final class Reconciler {
  private Reconciler() {}

  /** A device in a namespace. */
  record DeviceRef(String namespace, String device) implements Comparable<DeviceRef> {
    private static final Comparator<DeviceRef> ORDER =
        Comparator.comparing(DeviceRef::namespace).thenComparing(DeviceRef::device);

    @Override
    public int compareTo(DeviceRef o) {
      return ORDER.compare(this, o);
    }
  }

  public static Plan diff(HostState desired, HostState observed) {
    Steps steps = new Steps();
    SortedSet<DeviceRef> direct = directlyGone(desired, observed);
    SortedSet<DeviceRef> gone = withVethPeers(direct, observed);
    deleteDevices(direct, desired, observed, steps);
    Set<DeviceRef> created = new HashSet<>();
    for (NamespaceState want : desired.namespaces().values()) {
      NamespaceState have = observed.namespaces().get(want.name());
      if (have == null) {
        steps.add(Step.CREATE_NAMESPACE, new CreateNamespace(want.name()));
        have = NamespaceState.empty(want.name());
      }
      Set<String> goneHere = gone.stream().filter(r -> r.namespace().equals(want.name()))
          .map(DeviceRef::device).collect(Collectors.toSet());
      NamespaceState kept = have.withoutDevices(goneHere);
      want.devices().keySet().stream().filter(d -> !kept.devices().containsKey(d))
          .forEach(d -> created.add(new DeviceRef(want.name(), d)));
      NamespaceDiff.diff(want, kept, steps);
    }
    for (String name : observed.namespaces().keySet()) {
      if (namespaceGoes(name, desired)) {
        steps.add(Step.DELETE_NAMESPACE, new DeleteNamespace(name));
      }
    }
    FlowDiff.diff(desired.bridges(), observed.bridges(), steps);
    PortDiff.diff(desired.bridges(), observed.bridges(), created, steps);
    return steps.plan();
  }

  /**
   * The plan for the neighbours of some keys of namespaces that exist and stay, nothing else of
   * them having changed: what {@link #diff} would plan, at the cost of those keys alone.
   */
  public static Plan neighbours(Map<String, NamespaceState> desired, Map<String, NamespaceState> observed,
      Map<String, ? extends Collection<Neighbour.Key>> keys) {
    Steps steps = new Steps();
    new TreeMap<>(keys).forEach((ns, ks) -> NamespaceDiff.neighbours(desired.get(ns), observed.get(ns), ks, steps));
    return steps.plan();
  }

  private static boolean namespaceGoes(String name, HostState desired) {
    return !desired.namespaces().containsKey(name) && Names.isOurNamespace(name);
  }

  /** Devices deleted for themselves: all in stale namespaces, and ours that are stale or wired wrongly. */
  private static SortedSet<DeviceRef> directlyGone(HostState desired, HostState observed) {
    SortedSet<DeviceRef> gone = new TreeSet<>();
    for (NamespaceState have : observed.namespaces().values()) {
      NamespaceState want = desired.namespaces().get(have.name());
      boolean namespaceGoes = namespaceGoes(have.name(), desired);
      if (want == null && !namespaceGoes) {
        continue; // a foreign namespace: not ours to look into
      }
      for (Device d : have.devices().values()) {
        Device w = want == null ? null : want.devices().get(d.name());
        if (namespaceGoes || (Names.isOurDevice(d.name()) && (w == null || !w.sameLink(d)))) {
          gone.add(new DeviceRef(have.name(), d.name()));
        }
      }
    }
    return gone;
  }

  /** The kernel deletes a veth pair as a whole. */
  private static SortedSet<DeviceRef> withVethPeers(SortedSet<DeviceRef> direct, HostState observed) {
    SortedSet<DeviceRef> all = new TreeSet<>(direct);
    for (DeviceRef ref : direct) {
      Device d = observed.namespace(ref.namespace()).devices().get(ref.device());
      if (d.kind() == DeviceKind.VETH && !d.peerNamespace().isEmpty()) {
        all.add(new DeviceRef(d.peerNamespace(), d.peer()));
      }
    }
    return all;
  }

  /**
   * One DeleteDevice per device or veth pair that goes while its namespace stays; a pair is
   * deleted from the end whose (namespace, name) sorts first among the ends deleted for themselves.
   */
  private static void deleteDevices(SortedSet<DeviceRef> direct, HostState desired, HostState observed, Steps steps) {
    for (DeviceRef ref : direct) {
      if (namespaceGoes(ref.namespace(), desired)) {
        continue;
      }
      Device d = observed.namespace(ref.namespace()).devices().get(ref.device());
      boolean veth = d.kind() == DeviceKind.VETH && !d.peerNamespace().isEmpty();
      DeviceRef peer = veth ? new DeviceRef(d.peerNamespace(), d.peer()) : null;
      if (veth && direct.contains(peer) && !namespaceGoes(peer.namespace(), desired) && peer.compareTo(ref) < 0) {
        continue;
      }
      boolean recreated = desired.namespace(ref.namespace()).devices().containsKey(ref.device())
          || (veth && desired.namespace(peer.namespace()).devices().containsKey(peer.device()));
      steps.add(recreated ? Step.DELETE_TO_RECREATE : Step.DELETE_DEVICE,
          new DeleteDevice(ref.namespace(), ref.device(), veth ? d.peerNamespace() : ""));
    }
  }
}

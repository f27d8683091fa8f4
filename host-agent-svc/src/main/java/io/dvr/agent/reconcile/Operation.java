package io.dvr.agent.reconcile;

import io.dvr.agent.model.Flow;
import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.IpRule;
import io.dvr.agent.model.NatTable;
import io.dvr.agent.model.Neighbour;
import io.dvr.agent.model.Route;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/** One change to a host, as data. Drivers must make every operation safe to repeat. */
public sealed interface Operation {
  /** The namespace of bridge operations: OVS lives in the root namespace. */
  String ROOT = "";

  String namespace();

  /** Every namespace the operation touches; ops sharing one must run in plan order. */
  default Set<String> namespaces() {
    return Set.of(namespace());
  }

  record CreateNamespace(String namespace) implements Operation {}

  /** Deletes the namespace and everything in it (the kernel also removes veth peers elsewhere). */
  record DeleteNamespace(String namespace) implements Operation {}

  /** An OVS internal port on {@code bridge}, moved into the namespace. */
  record CreateInternalPort(String namespace, String device, String bridge) implements Operation {}

  /** Both ends of a veth pair: {@code device} here, {@code peer} in {@code peerNamespace}. */
  record CreateVethPair(String namespace, String device, String peerNamespace, String peer) implements Operation {
    @Override
    public Set<String> namespaces() {
      return new TreeSet<>(List.of(namespace, peerNamespace));
    }
  }

  /** Sets the MAC (unless empty) and MTU, and brings the device up. */
  record SetLink(String namespace, String device, String mac, int mtu) implements Operation {}

  /** Deletes a device with its addresses, routes and neighbours; a veth takes its peer along. */
  record DeleteDevice(String namespace, String device, String peerNamespace) implements Operation {
    @Override
    public Set<String> namespaces() {
      return peerNamespace.isEmpty() ? Set.of(namespace) : new TreeSet<>(List.of(namespace, peerNamespace));
    }
  }

  record AddAddress(String namespace, String device, IpPrefix address) implements Operation {}

  record RemoveAddress(String namespace, String device, IpPrefix address) implements Operation {}

  record SetSysctl(String namespace, String key, String value) implements Operation {}

  record AddRule(String namespace, IpRule rule) implements Operation {}

  record RemoveRule(String namespace, IpRule rule) implements Operation {}

  record ReplaceRoute(String namespace, Route route) implements Operation {}

  record RemoveRoute(String namespace, Route route) implements Operation {}

  record ReplaceNeighbour(String namespace, Neighbour neighbour) implements Operation {}

  record RemoveNeighbour(String namespace, Neighbour neighbour) implements Operation {}

  /**
   * Replaces everything of our chains in the nat table (our chains, their rules, the jumps to
   * them from built-in chains) by {@code ours}, leaving other chains and rules alone: one
   * {@code iptables-restore -n} per namespace.
   */
  record ReplaceNat(String namespace, NatTable ours) implements Operation {}

  /**
   * A tunnel port {@code port} on {@code bridge} to {@code remoteIp} from {@code localIp}, of OVS
   * interface type {@code type}, marked as the agent's with the peer host it leads to.
   */
  record AddTunnelPort(String bridge, String port, String type, String remoteIp, String localIp, String peerHost)
      implements Operation {
    @Override
    public String namespace() {
      return ROOT;
    }
  }

  /** Removes a tunnel port the agent made (the peer left, or moved to another endpoint). */
  record DeleteTunnelPort(String bridge, String port) implements Operation {
    @Override
    public String namespace() {
      return ROOT;
    }
  }

  /**
   * Sets the VLAN tag of a port of {@code bridge}. With a namespace, {@code port} is a device of
   * ours there and the OVS port is the one plugging it (it runs in that namespace's lane, after the
   * device is made); without ({@link #ROOT}), {@code port} is the OVS port's name (a VM's port).
   */
  record SetPortTag(String namespace, String bridge, String port, int tag) implements Operation {}

  /** Adds or replaces flows (keyed by table, priority and match). */
  record AddFlows(String bridge, SortedSet<Flow> flows) implements Operation {
    public AddFlows {
      flows = Collections.unmodifiableSortedSet(new TreeSet<>(flows));
    }

    @Override
    public String namespace() {
      return ROOT;
    }
  }

  /** Deletes flows strictly by table, priority, match and cookie. */
  record DeleteFlows(String bridge, SortedSet<Flow> flows) implements Operation {
    public DeleteFlows {
      flows = Collections.unmodifiableSortedSet(new TreeSet<>(flows));
    }

    @Override
    public String namespace() {
      return ROOT;
    }
  }
}

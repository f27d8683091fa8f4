package io.dvr.agent.model;

import java.util.Collection;
import java.util.Objects;
import java.util.SortedSet;

/**
 * A network device in a namespace. {@code mac} is empty when the kernel may choose it (veth ends);
 * {@code bridge} is set for OVS internal ports; {@code peer}/{@code peerNamespace} for veth ends.
 */
public record Device(String name, DeviceKind kind, String mac, int mtu, SortedSet<IpPrefix> addresses,
    String bridge, String peer, String peerNamespace) {

  public Device {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    mac = mac == null ? "" : mac.toLowerCase();
    bridge = bridge == null ? "" : bridge;
    peer = peer == null ? "" : peer;
    peerNamespace = peerNamespace == null ? "" : peerNamespace;
    addresses = Sorted.set(addresses);
  }

  public static Device internalPort(String name, String bridge, String mac, int mtu,
      Collection<IpPrefix> addresses) {
    return new Device(name, DeviceKind.OVS_INTERNAL, mac, mtu, Sorted.set(addresses), bridge, "", "");
  }

  public static Device veth(String name, String peerNamespace, String peer, int mtu,
      Collection<IpPrefix> addresses) {
    return new Device(name, DeviceKind.VETH, "", mtu, Sorted.set(addresses), "", peer, peerNamespace);
  }

  /** True when both are the same kind of link wired the same way (else it must be recreated). */
  public boolean sameLink(Device o) {
    return kind == o.kind && bridge.equals(o.bridge) && peer.equals(o.peer) && peerNamespace.equals(o.peerNamespace);
  }

  public Device withAddresses(Collection<IpPrefix> newAddresses) {
    return new Device(name, kind, mac, mtu, Sorted.set(newAddresses), bridge, peer, peerNamespace);
  }

  public Device withLink(String newMac, int newMtu) {
    return new Device(name, kind, newMac, newMtu, addresses, bridge, peer, peerNamespace);
  }
}

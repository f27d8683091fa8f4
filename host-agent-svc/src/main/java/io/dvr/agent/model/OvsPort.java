package io.dvr.agent.model;

import java.util.Objects;

/**
 * One port of an Open vSwitch bridge, as far as the agent cares: what it is, its VLAN tag, its
 * ofport, and what identifies it. In a bridge's port table a port is keyed by {@link #key()}: a
 * port plugging one of our devices by that device (whatever OVS port the driver's plug mode makes
 * for it), a VM port by the Neutron port id it carries ({@code external_ids:iface-id}), every other
 * port by its OVS name. Desired ports leave out what only OVS decides: their ofport (and the name
 * of plugged and VM ports).
 *
 * @param name the OVS port name; empty in a desired plugged or VM port
 * @param tag the VLAN tag, {@link #NO_TAG} when none (desired: the tag is not the agent's to set)
 * @param ofport the OpenFlow port number, {@link #NO_OFPORT} while OVS has not given one
 * @param namespace of a plugged port: the namespace of its device
 * @param device of a plugged port: the device it plugs
 * @param ifaceId of a VM port: the Neutron port id
 * @param type of a tunnel port: the interface type ({@code vxlan}, {@code gre})
 * @param remoteIp of a tunnel port: the peer's tunnel endpoint
 * @param localIp of a tunnel port: this host's tunnel endpoint
 * @param peerHost of a tunnel port the agent made: the peer host it leads to; empty on one made by others
 */
public record OvsPort(Kind kind, String name, int tag, int ofport, String namespace, String device, String ifaceId,
    String type, String remoteIp, String localIp, String peerHost) implements Comparable<OvsPort> {
  public static final int NO_TAG = -1;
  public static final int NO_OFPORT = -1;

  public enum Kind {
    /** A patch port between two bridges (patch-tun, patch-int). */
    PATCH,
    /** A tunnel to another host on br-tun. */
    TUNNEL,
    /** Plugs one of our devices (qr-, sg-, qg-, fg-): an internal port or the host end of a veth pair. */
    PLUGGED,
    /** A VM's port, plugged by the hypervisor; the agent only tags it. */
    VM,
    /** Anything else (the bridge's own port); never touched. */
    OTHER
  }

  public OvsPort {
    Objects.requireNonNull(kind, "kind");
    name = name == null ? "" : name;
    namespace = namespace == null ? "" : namespace;
    device = device == null ? "" : device;
    ifaceId = ifaceId == null ? "" : ifaceId;
    type = type == null ? "" : type;
    remoteIp = remoteIp == null ? "" : remoteIp;
    localIp = localIp == null ? "" : localIp;
    peerHost = peerHost == null ? "" : peerHost;
  }

  /** A port plugging {@code device} of {@code namespace}, with the tag it must have (or {@link #NO_TAG}). */
  public static OvsPort plugged(String namespace, String device, int tag) {
    return new OvsPort(Kind.PLUGGED, "", tag, NO_OFPORT, namespace, device, "", "", "", "", "");
  }

  /** The port of a VM carrying Neutron port {@code ifaceId}, with the tag it must have. */
  public static OvsPort vm(String ifaceId, int tag) {
    return new OvsPort(Kind.VM, "", tag, NO_OFPORT, "", "", ifaceId, "", "", "", "");
  }

  /** A tunnel port the agent makes to {@code peerHost}. */
  public static OvsPort tunnel(String name, String type, String remoteIp, String localIp, String peerHost) {
    return new OvsPort(Kind.TUNNEL, name, NO_TAG, NO_OFPORT, "", "", "", type, remoteIp, localIp, peerHost);
  }

  public static OvsPort patch(String name, int ofport) {
    return new OvsPort(Kind.PATCH, name, NO_TAG, ofport, "", "", "", "patch", "", "", "");
  }

  /** The port's identity in its bridge's port table. */
  public String key() {
    return switch (kind) {
      case PLUGGED -> device;
      case VM -> "iface-id=" + ifaceId;
      default -> name;
    };
  }

  /** Whether the agent made this port and may remove it: a tunnel port marked with its peer. */
  public boolean ourTunnel() {
    return kind == Kind.TUNNEL && !peerHost.isEmpty();
  }

  public boolean hasOfport() {
    return ofport > 0;
  }

  public OvsPort withTag(int newTag) {
    return new OvsPort(kind, name, newTag, ofport, namespace, device, ifaceId, type, remoteIp, localIp, peerHost);
  }

  public OvsPort withOfport(int newOfport) {
    return new OvsPort(kind, name, tag, newOfport, namespace, device, ifaceId, type, remoteIp, localIp, peerHost);
  }

  public OvsPort withName(String newName) {
    return new OvsPort(kind, newName, tag, ofport, namespace, device, ifaceId, type, remoteIp, localIp, peerHost);
  }

  @Override
  public int compareTo(OvsPort o) {
    return key().compareTo(o.key());
  }
}

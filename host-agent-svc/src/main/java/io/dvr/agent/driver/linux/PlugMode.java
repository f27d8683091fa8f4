package io.dvr.agent.driver.linux;

/**
 * How a router port (qr-, sg-, qg-, fg-; an "internal port" in the model) is plugged into its OVS
 * bridge.
 *
 * <p>{@link #VETH} is the default: a veth pair whose namespace end carries the port's name and
 * whose host end ({@code t<name>}, 15 characters at most) is a port of the bridge, with checksum
 * offload off on the namespace end (lab notes pitfall 1). It survives an ovs-vswitchd restart and
 * OVS sees its link state and ifindex. {@link #INTERNAL} makes an OVS internal port and moves it
 * into the namespace: it works on the userspace datapath, but OVS then reports it {@code
 * link_state down} with {@code ifindex 0}, and a restarted ovs-vswitchd re-creates the tap in its
 * own namespace, leaving the moved one dead.
 */
public enum PlugMode {
  VETH,
  INTERNAL;

  /** The host-side veth end of a plugged device. */
  static String hostEnd(String device) {
    return Args.device("t" + device);
  }

  /** The name of the OVS port that plugs one of our devices: its host end, or the device itself. */
  String ovsPort(String device) {
    return this == VETH ? hostEnd(device) : Args.device(device);
  }
}

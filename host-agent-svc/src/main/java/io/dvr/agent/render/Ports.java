package io.dvr.agent.render;

import io.dvr.agent.model.IpPrefix;
import io.dvr.proto.v1.RouterPortInfo;

/** Reads the addresses of router ports, failing with the port named when the data is malformed. */
final class Ports {
  private Ports() {}

  /** The device address {@code ip_address/prefix-of-cidr}, e.g. 81.1.180.1/24. */
  static IpPrefix address(RouterPortInfo port) {
    try {
      return IpPrefix.of(port.getIpAddress(), IpPrefix.parse(port.getCidr()).length());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("port " + port.getPortId() + ": " + e.getMessage(), e);
    }
  }

  static IpPrefix cidr(RouterPortInfo port) {
    try {
      return IpPrefix.parse(port.getCidr()).network();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("port " + port.getPortId() + ": " + e.getMessage(), e);
    }
  }

  /** The MTU of the port's network; 1500 when the control plane did not say (older senders, fixtures). */
  static int mtu(RouterPortInfo port) {
    return port.getMtu() > 0 ? port.getMtu() : Names.DEFAULT_MTU;
  }

  static boolean present(RouterPortInfo port) {
    return !port.getPortId().isEmpty();
  }
}

package io.dvr.gateway.api;

import io.dvr.common.grpc.ApiError;

/**
 * Which MTUs a network may have (Neutron's global_physnet_mtu): the physical MTU on an external
 * network, 50 bytes less on a tunnelled (VXLAN over IPv4) one; unset means the largest allowed.
 */
public record MtuPolicy(int physicalMtu) {
  public static final int DEFAULT_PHYSICAL_MTU = 1500;
  static final int VXLAN_OVERHEAD = 50;
  static final int MIN_MTU = 68;

  public MtuPolicy {
    if (physicalMtu < 1280 || physicalMtu > 65535) {
      throw new IllegalArgumentException("setting network.physical-mtu is " + physicalMtu + "; it must be 1280..65535");
    }
  }

  int max(boolean external) {
    return external ? physicalMtu : physicalMtu - VXLAN_OVERHEAD;
  }

  /**
   * The requested MTU when the network type allows it (null: the largest it allows). mtu is a
   * uint32 on the wire: Java sees values from 2^31 up as negative ints.
   */
  int check(boolean external, Integer wire) {
    int max = max(external);
    if (wire == null) {
      return max;
    }
    long requested = Integer.toUnsignedLong(wire);
    if (requested < MIN_MTU || requested > max) {
      throw ApiError.invalid("mtu", requested, "must be " + MIN_MTU + ".." + max + " on "
          + (external ? "an external network (the physical MTU, " : "a tunnelled network (the physical MTU ")
          + physicalMtu + (external ? ")" : " less " + VXLAN_OVERHEAD + " for VXLAN)"));
    }
    return (int) requested;
  }
}

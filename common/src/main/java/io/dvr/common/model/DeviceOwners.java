package io.dvr.common.model;

import java.util.Set;

/** Neutron's device_owner values; the network:* owners below are made by the system only. */
public final class DeviceOwners {
  public static final String COMPUTE_PREFIX = "compute:";
  public static final String ROUTER_INTERFACE_DISTRIBUTED = "network:router_interface_distributed";
  public static final String ROUTER_INTERFACE = "network:router_interface";
  public static final String ROUTER_SNAT = "network:router_centralized_snat";
  public static final String ROUTER_GATEWAY = "network:router_gateway";
  public static final String FLOATING_IP = "network:floatingip";
  public static final String FIP_AGENT_GATEWAY = "network:floatingip_agent_gateway";

  /** Owners that only the router and floating-IP operations may create or delete. */
  public static final Set<String> SYSTEM_MANAGED = Set.of(
      ROUTER_INTERFACE_DISTRIBUTED, ROUTER_INTERFACE, ROUTER_SNAT, ROUTER_GATEWAY, FLOATING_IP);

  private DeviceOwners() {}

  public static boolean isCompute(String owner) {
    return owner != null && owner.startsWith(COMPUTE_PREFIX);
  }

  public static boolean isSystemManaged(String owner) {
    return SYSTEM_MANAGED.contains(owner);
  }
}

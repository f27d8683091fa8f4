package io.dvr.gateway.store;

import java.util.Map;

/** What a violation of a unique constraint of api-gateway's tables means to the API caller. */
public final class GatewayConstraints {
  public static final Map<String, String> UNIQUE_MEANINGS = Map.of(
      "ports_mac_address_key", "mac_address is already in use",
      "ip_allocations_pkey", "the IP address is already in use on its subnet",
      "router_interfaces_pkey", "the subnet is already attached to the router",
      "router_interfaces_port_key", "the port is already a router interface",
      "floating_ips_fixed_key", "the fixed IP already has a floating IP",
      "agents_host_type_key", "an agent of this type already exists on the host");

  private GatewayConstraints() {}
}

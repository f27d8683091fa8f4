package io.dvr.arp.store;

import io.dvr.common.model.DeviceOwners;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.PortAddress;
import io.dvr.proto.v1.PortFacts;
import io.dvr.proto.v1.RouterSubnet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The rule of which ports are in a distributed router's ARP table (reference section 6): every
 * port that is not a router's interface, once per address on one of the router's subnets. The
 * table read ({@link ArpStore}) and the patch from a port change's facts both apply it.
 */
public final class ArpMembership {
  static final String[] ROUTER_OWNERS = {DeviceOwners.ROUTER_INTERFACE_DISTRIBUTED, DeviceOwners.ROUTER_INTERFACE};

  private ArpMembership() {}

  public static boolean member(String deviceOwner) {
    return !List.of(ROUTER_OWNERS).contains(deviceOwner);
  }

  /** The port's entries in the router's table, as its change's facts leave them (none after a delete). */
  public static List<ArpEntry> entries(UUID routerId, String portId, PortFacts facts) {
    if (facts.getMacAddress().isEmpty() || !member(facts.getDeviceOwner())) {
      return List.of();
    }
    Set<String> subnets = facts.getRouterSubnetsList().stream()
        .filter(rs -> rs.getRouterId().equals(routerId.toString())).map(RouterSubnet::getSubnetId)
        .collect(Collectors.toSet());
    List<ArpEntry> entries = new ArrayList<>();
    for (PortAddress a : facts.getFixedIpsList()) {
      if (subnets.contains(a.getSubnetId())) {
        entries.add(ArpEntry.newBuilder().setIpAddress(a.getIpAddress()).setMacAddress(facts.getMacAddress())
            .setSubnetId(a.getSubnetId()).setPortId(portId).build());
      }
    }
    return entries;
  }
}

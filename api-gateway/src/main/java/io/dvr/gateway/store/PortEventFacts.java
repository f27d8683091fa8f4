package io.dvr.gateway.store;

import io.dvr.proto.v1.PortAddress;
import io.dvr.proto.v1.PortFacts;
import io.dvr.proto.v1.RouterSubnet;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What a port change left of the port, carried in its event ({@code ResourceChanged.port}) so that
 * arp-svc patches the ARP tables it holds instead of reading them back: the port's MAC, owner and
 * addresses, and the router interfaces on its subnets as the change's transaction saw them.
 */
final class PortEventFacts {
  private PortEventFacts() {}

  /** A port's facts and the routers its event names (on its subnets, or holding one of its floating IPs). */
  record Read(List<UUID> routers, PortFacts facts) {}

  /** The port left no facts: a delete. */
  static final PortFacts DELETED = PortFacts.getDefaultInstance();

  /**
   * The facts of a port from its values; {@code routersBySubnet}: the routers with an interface on
   * each subnet.
   */
  static PortFacts of(String mac, String deviceOwner, String bindingHost, String status, List<PortAddress> addresses,
      Map<UUID, List<UUID>> routersBySubnet) {
    PortFacts.Builder facts = PortFacts.newBuilder().setMacAddress(mac).setDeviceOwner(deviceOwner)
        .setBindingHost(bindingHost).setStatus(status).addAllFixedIps(addresses);
    Set<String> subnets = new LinkedHashSet<>();
    addresses.forEach(a -> subnets.add(a.getSubnetId()));
    Set<RouterSubnet> interfaces = new LinkedHashSet<>();
    for (String subnet : subnets) {
      for (UUID router : routersBySubnet.getOrDefault(UUID.fromString(subnet), List.of())) {
        interfaces.add(RouterSubnet.newBuilder().setRouterId(router.toString()).setSubnetId(subnet).build());
      }
    }
    facts.addAllRouterSubnets(interfaces);
    return facts.build();
  }

  static PortAddress address(UUID subnetId, String ip) {
    return PortAddress.newBuilder().setSubnetId(subnetId.toString()).setIpAddress(ip).build();
  }

  /** The port's facts and routers as this transaction sees them, in one statement; empty when there is no such port. */
  static Future<Optional<Read>> read(Tx tx, UUID portId) {
    return tx.one("SELECT p.mac_address::text AS mac, p.device_owner, p.binding_host, p.status,"
            + " ARRAY(SELECT a.subnet_id FROM ip_allocations a WHERE a.port_id = p.id ORDER BY a.ip_address) AS subnets,"
            + " ARRAY(SELECT host(a.ip_address) FROM ip_allocations a WHERE a.port_id = p.id ORDER BY a.ip_address) AS ips,"
            + " ARRAY(SELECT ri.router_id FROM router_interfaces ri JOIN ip_allocations a ON a.subnet_id = ri.subnet_id"
            + " WHERE a.port_id = p.id ORDER BY ri.router_id, ri.subnet_id) AS interface_routers,"
            + " ARRAY(SELECT ri.subnet_id FROM router_interfaces ri JOIN ip_allocations a ON a.subnet_id = ri.subnet_id"
            + " WHERE a.port_id = p.id ORDER BY ri.router_id, ri.subnet_id) AS interface_subnets,"
            + " ARRAY(SELECT f.router_id FROM floating_ips f WHERE f.port_id = p.id AND f.router_id IS NOT NULL) AS fip_routers"
            + " FROM ports p WHERE p.id = $1", portId)
        .map(row -> row.map(r -> {
          UUID[] subnets = r.getArrayOfUUIDs("subnets");
          String[] ips = r.getArrayOfStrings("ips");
          UUID[] interfaceRouters = r.getArrayOfUUIDs("interface_routers");
          UUID[] interfaceSubnets = r.getArrayOfUUIDs("interface_subnets");
          List<PortAddress> addresses = new ArrayList<>();
          for (int i = 0; i < subnets.length; i++) {
            addresses.add(address(subnets[i], ips[i]));
          }
          Map<UUID, List<UUID>> bySubnet = new java.util.HashMap<>();
          Set<UUID> routers = new LinkedHashSet<>();
          for (int i = 0; i < interfaceRouters.length; i++) {
            bySubnet.computeIfAbsent(interfaceSubnets[i], s -> new ArrayList<>()).add(interfaceRouters[i]);
            routers.add(interfaceRouters[i]);
          }
          routers.addAll(List.of(r.getArrayOfUUIDs("fip_routers")));
          return new Read(List.copyOf(routers), of(r.getString("mac"), r.getString("device_owner"), r.getString("binding_host"),
              r.getString("status"), addresses, bySubnet));
        }));
  }
}

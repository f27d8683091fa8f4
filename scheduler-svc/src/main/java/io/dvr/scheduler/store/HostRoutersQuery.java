package io.dvr.scheduler.store;

import io.dvr.common.model.DeviceOwners;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.FloatingIpInfo;
import io.dvr.proto.v1.HostPeer;
import io.dvr.proto.v1.HostPort;
import io.dvr.proto.v1.HostPortIp;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import io.dvr.proto.v1.TunnelNetwork;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Assembles what one host needs to render its routers (Neutron's sync_routers for an agent):
 * set-based queries over all the host's routers at once, then grouped per router. The routers'
 * ARP tables and the DVR MACs are their owners' answers (arp-svc, mac-allocator-svc), given by
 * the caller; this class only reads intent and bindings.
 *
 * <p>The host's ports and peers are listed once, at host level; each router names the host ports
 * on its subnets by id. Run it in one snapshot ({@code Store.snapshot}): its
 * {@link #generation(Tx) generation} is then that snapshot's, and the view matches it.
 */
public final class HostRoutersQuery {

  /** The agent mode of the host's L3 agent, or "" when it has none. */
  public Future<String> agentMode(Tx tx, String host) {
    return tx.one("SELECT agent_mode FROM agents WHERE host = $1 AND agent_type = 'L3 agent'", host)
        .map(row -> row.map(r -> r.getString(0)).orElse(""));
  }

  /** The host's tunnel endpoint as registered by any of its agents, or empty when it has none. */
  public Future<String> tunnelEndpoint(Tx tx, String host) {
    return tx.one("SELECT tunnel_ip FROM agents WHERE host = $1 AND tunnel_ip <> '' ORDER BY agent_type LIMIT 1", host)
        .map(row -> row.map(r -> r.getString("tunnel_ip")).orElse(""));
  }

  /**
   * The generation of a host view read in this transaction's snapshot: the snapshot's xmax (the
   * first transaction id not yet completed when it was taken). Completed transactions only grow,
   * so a view read from a later snapshot never has a lower generation, and one read after a
   * change committed has a higher one; nothing is written to number the views. Meaningful only in
   * a REPEATABLE READ transaction, where every statement reads that one snapshot.
   */
  public Future<Long> generation(Tx tx) {
    return snapshot(tx).map(Snapshot::generation);
  }

  /**
   * The generation and the transactions below it still running (not seen) when this transaction's
   * snapshot was taken: together they say whether the view sees a given change, which is how the
   * applied state of a host is compared with a change (api-gateway's convergence).
   */
  public Future<Snapshot> snapshot(Tx tx) {
    return tx.one("SELECT pg_snapshot_xmax(s)::text::bigint AS generation, "
        + "ARRAY(SELECT x::text::bigint FROM pg_snapshot_xip(s) x ORDER BY 1) AS in_progress "
        + "FROM pg_current_snapshot() s")
        .map(row -> row.orElseThrow()).map(r -> new Snapshot(r.getLong("generation"),
            java.util.Arrays.asList(r.getArrayOfLongs("in_progress"))));
  }

  /** A snapshot as a host view carries it (HostRouters.generation and in_progress). */
  public record Snapshot(long generation, java.util.List<Long> inProgress) {}

  /**
   * The host's view of the given routers as the database holds it: without the routers' ARP
   * tables and the DVR MACs, which their owners give ({@link #withOwners}), so that the
   * transaction is not held open while they answer.
   */
  public Future<HostRouters> forHost(Tx tx, String host, String agentMode, List<UUID> routerIds) {
    UUID[] ids = routerIds.toArray(UUID[]::new);
    Map<UUID, RouterInfo.Builder> routers = new LinkedHashMap<>();
    Map<UUID, Set<String>> routerSubnets = new TreeMap<>();
    Map<String, HostPort.Builder> ports = new LinkedHashMap<>();
    Map<String, HostPeer.Builder> peers = new TreeMap<>();
    HostRouters.Builder out = HostRouters.newBuilder().setHost(host).setAgentMode(agentMode);
    Map<String, TunnelNetwork> networks = new TreeMap<>();
    Map<UUID, UUID> gatewayNetwork = new TreeMap<>();
    // Every statement is sent at once: on a transaction's connection they are pipelined (one round
    // trip, not seven) and all read its snapshot. The rows are then read in this order.
    // This host's SNAT binding of each router (an HA router has several, one per SNAT host).
    Future<List<Row>> routerRows = tx.all(
        "SELECT r.id, r.revision, r.admin_state_up, r.distributed, r.gw_network_id, r.ha, sb.host AS snat_host,"
        + " sb.ha_state, (SELECT max(e.ha_epoch) FROM router_snat_bindings e WHERE e.router_id = r.id) AS ha_epoch,"
        + " (SELECT a.host FROM router_snat_bindings a WHERE a.router_id = r.id AND a.ha_state = 'active'"
        + " AND a.draining_since IS NULL ORDER BY a.host LIMIT 1) AS ha_active_host"
        + " FROM routers r LEFT JOIN router_snat_bindings sb ON sb.router_id = r.id AND sb.host = $2"
        + " WHERE r.id = ANY($1) ORDER BY r.id", ids, host);
    Future<List<Row>> interfaceRows = tx.all(
        "SELECT ri.router_id, ri.subnet_id, ri.port_id, p.mac_address::text AS mac,"
        + " host(ia.ip_address) AS ip, s.cidr::text AS cidr, s.network_id, n.segmentation_id, n.mtu,"
        + " ri.snat_port_id, sp.mac_address::text AS snat_mac, host(sa.ip_address) AS snat_ip"
        // The interface's address is its port's (the subnet's gateway_ip, or a port's own fixed IP).
        + " FROM router_interfaces ri JOIN ports p ON p.id = ri.port_id JOIN subnets s ON s.id = ri.subnet_id"
        + " JOIN ip_allocations ia ON ia.port_id = ri.port_id AND ia.subnet_id = ri.subnet_id"
        + " JOIN networks n ON n.id = s.network_id LEFT JOIN ports sp ON sp.id = ri.snat_port_id"
        + " LEFT JOIN ip_allocations sa ON sa.port_id = ri.snat_port_id"
        + " WHERE ri.router_id = ANY($1) ORDER BY s.cidr", (Object) ids);
    Future<List<Row>> gatewayRows = tx.all(
        "SELECT r.id AS router_id, p.id AS port_id, p.mac_address::text AS mac, host(a.ip_address) AS ip,"
        + " s.cidr::text AS cidr, host(s.gateway_ip) AS gw, s.id AS subnet_id, s.network_id, n.mtu"
        + " FROM routers r JOIN ports p ON p.id = r.gw_port_id JOIN ip_allocations a ON a.port_id = p.id"
        + " JOIN subnets s ON s.id = a.subnet_id JOIN networks n ON n.id = s.network_id WHERE r.id = ANY($1)",
        (Object) ids);
    Future<List<Row>> floatingIpRows = tx.all(
        "SELECT f.id, f.router_id, host(f.floating_ip_address) AS fip, host(f.fixed_ip_address) AS fixed,"
        + " f.port_id, f.floating_network_id FROM floating_ips f JOIN ports p ON p.id = f.port_id"
        + " WHERE f.router_id = ANY($1) AND p.binding_host = $2 ORDER BY f.floating_ip_address", ids, host);
    Future<List<Row>> fipGatewayRows = tx.all(
        "SELECT p.id, p.network_id, p.mac_address::text AS mac, host(a.ip_address) AS ip,"
        + " s.cidr::text AS cidr, host(s.gateway_ip) AS gw, s.id AS subnet_id, n.mtu FROM ports p"
        + " JOIN ip_allocations a ON a.port_id = p.id JOIN subnets s ON s.id = a.subnet_id"
        + " JOIN networks n ON n.id = p.network_id"
        + " WHERE p.device_owner = $1 AND p.binding_host = $2", DeviceOwners.FIP_AGENT_GATEWAY, host);
    // The ports plugged here: the host's VMs, and the SNAT ports of the routers whose SNAT it holds.
    Future<List<Row>> portRows = tx.all(
        "SELECT p.id, p.mac_address::text AS mac, p.network_id, n.segmentation_id, n.mtu, p.device_owner,"
        + " p.status, a.subnet_id, host(a.ip_address) AS ip, s.cidr::text AS cidr FROM ports p"
        + " JOIN networks n ON n.id = p.network_id LEFT JOIN ip_allocations a ON a.port_id = p.id"
        + " LEFT JOIN subnets s ON s.id = a.subnet_id"
        + " WHERE (p.device_owner LIKE 'compute:%' AND p.binding_host = $1) OR (p.device_owner = $2 AND EXISTS ("
        + "   SELECT 1 FROM ip_allocations sa JOIN router_interfaces ri ON ri.subnet_id = sa.subnet_id"
        + "   JOIN router_snat_bindings sb ON sb.router_id = ri.router_id WHERE sa.port_id = p.id AND sb.host = $1))"
        + " ORDER BY p.id, a.ip_address", host, DeviceOwners.ROUTER_SNAT);
    // One endpoint per host, as tunnelEndpoint(tx, host) reads it.
    Future<List<Row>> peerRows = tx.all(
        "SELECT DISTINCT ON (host) host, tunnel_ip FROM agents WHERE tunnel_ip <> '' AND host <> $1"
        + " ORDER BY host, agent_type", host);
    List<Future<List<Row>>> statements = List.of(routerRows, interfaceRows, gatewayRows, floatingIpRows,
        fipGatewayRows, portRows, peerRows);
    return Future.all(statements).map(done -> {
      for (Row r : routerRows.result()) {
        UUID id = r.getUUID("id");
        boolean snatHere = r.getString("snat_host") != null;
        RouterInfo.Builder info = RouterInfo.newBuilder().setRouterId(id.toString()).setRevision(r.getLong("revision"))
            .setAdminStateUp(r.getBoolean("admin_state_up")).setDistributed(r.getBoolean("distributed"))
            .setSnatHere(snatHere).setHa(r.getBoolean("ha"));
        if (snatHere && r.getBoolean("ha")) {
          info.setHaState(SchedulerStore.haState(r.getString("ha_state"))).setHaEpoch(r.getLong("ha_epoch"));
          Optional.ofNullable(r.getString("ha_active_host")).ifPresent(info::setHaActiveHost);
        }
        routers.put(id, info);
        if (r.getUUID("gw_network_id") != null) {
          gatewayNetwork.put(id, r.getUUID("gw_network_id"));
        }
      }
      for (Row r : interfaceRows.result()) {
        RouterInfo.Builder router = routers.get(r.getUUID("router_id"));
        RouterPortInfo.Builder qr = port(r.getUUID("port_id"), r.getString("mac"), r.getString("ip"), r.getString("cidr"),
            r.getUUID("subnet_id"), r.getUUID("network_id"), r.getInteger("segmentation_id")).setMtu(r.getInteger("mtu"));
        if (r.getString("snat_ip") != null) {
          qr.setSnatIpAddress(r.getString("snat_ip"));
          if (router.getSnatHere()) {
            router.addSnatPorts(port(r.getUUID("snat_port_id"), r.getString("snat_mac"), r.getString("snat_ip"),
                r.getString("cidr"), r.getUUID("subnet_id"), r.getUUID("network_id"), r.getInteger("segmentation_id"))
                .setMtu(r.getInteger("mtu")));
          }
        }
        router.addInterfaces(qr);
        routerSubnets.computeIfAbsent(r.getUUID("router_id"), k -> new HashSet<>()).add(r.getUUID("subnet_id").toString());
        networks.putIfAbsent(r.getUUID("network_id").toString(), TunnelNetwork.newBuilder()
            .setNetworkId(r.getUUID("network_id").toString()).setSegmentationId(r.getInteger("segmentation_id")).build());
      }
      for (Row r : gatewayRows.result()) {
        routers.get(r.getUUID("router_id")).setGatewayPort(port(r.getUUID("port_id"), r.getString("mac"),
            r.getString("ip"), r.getString("cidr"), r.getUUID("subnet_id"), r.getUUID("network_id"), 0)
            .setGatewayIp(nz(r.getString("gw"))).setMtu(r.getInteger("mtu")));
      }
      for (Row r : floatingIpRows.result()) {
        routers.get(r.getUUID("router_id")).addFloatingIps(FloatingIpInfo.newBuilder()
            .setFloatingIpId(r.getUUID("id").toString()).setFloatingIpAddress(r.getString("fip"))
            .setFixedIpAddress(r.getString("fixed")).setPortId(r.getUUID("port_id").toString())
            .setFloatingNetworkId(r.getUUID("floating_network_id").toString()));
      }
      for (Row r : fipGatewayRows.result()) {
        RouterPortInfo fg = port(r.getUUID("id"), r.getString("mac"), r.getString("ip"), r.getString("cidr"),
            r.getUUID("subnet_id"), r.getUUID("network_id"), 0).setGatewayIp(nz(r.getString("gw")))
            .setMtu(r.getInteger("mtu")).build();
        gatewayNetwork.forEach((router, net) -> {
          RouterInfo.Builder b = routers.get(router);
          if (net.equals(r.getUUID("network_id")) && b.getFloatingIpsCount() > 0) {
            b.setFipAgentGateway(fg);
          }
        });
      }
      for (Row r : portRows.result()) {
        HostPort.Builder port = ports.computeIfAbsent(r.getUUID("id").toString(), id -> HostPort.newBuilder()
            .setPortId(id).setMacAddress(r.getString("mac")).setNetworkId(r.getUUID("network_id").toString())
            .setSegmentationId(nz(r.getInteger("segmentation_id"))).setMtu(nz(r.getInteger("mtu")))
            .setDeviceOwner(r.getString("device_owner")).setStatus(r.getString("status")));
        if (r.getUUID("subnet_id") != null) {
          port.addFixedIps(HostPortIp.newBuilder().setSubnetId(r.getUUID("subnet_id").toString())
              .setIpAddress(r.getString("ip")).setCidr(r.getString("cidr")));
        }
      }
      routers.forEach((id, router) -> localPortIds(router, routerSubnets.getOrDefault(id, Set.of()), ports.values()));
      peerRows.result().forEach(r -> peer(peers, r.getString("host")).setTunnelIp(r.getString("tunnel_ip")));
      ports.values().forEach(out::addPorts);
      peers.values().forEach(out::addPeers);
      routers.values().forEach(out::addRouters);
      out.addAllNetworks(networks.values());
      return out.build();
    });
  }

  /**
   * The view with its owners' answers: {@code arpTables} (router id -> entries, ordered by
   * address) from arp-svc and {@code dvrMacs} (every host's MAC) from mac-allocator-svc; a host
   * with a DVR MAC is a peer even before it has a tunnel endpoint.
   */
  public static HostRouters withOwners(HostRouters view, Map<UUID, List<ArpEntry>> arpTables, List<DvrHostMac> dvrMacs) {
    HostRouters.Builder out = view.toBuilder().clearRouters().clearPeers();
    for (RouterInfo router : view.getRoutersList()) {
      out.addRouters(router.toBuilder().addAllArpEntries(
          arpTables.getOrDefault(UUID.fromString(router.getRouterId()), List.of())));
    }
    Map<String, HostPeer.Builder> peers = new TreeMap<>();
    view.getPeersList().forEach(p -> peers.put(p.getHost(), p.toBuilder()));
    for (DvrHostMac mac : dvrMacs) {
      if (view.getHost().equals(mac.getHost())) {
        out.setDvrMac(mac.getMacAddress());
      } else {
        peer(peers, mac.getHost()).setDvrMac(mac.getMacAddress());
      }
    }
    peers.values().forEach(out::addPeers);
    return out.build();
  }

  /**
   * Names the router's local ports: the host ports with an address on one of its subnets; a SNAT
   * port only where the router's SNAT is here.
   */
  private static void localPortIds(RouterInfo.Builder router, Set<String> subnets, Iterable<HostPort.Builder> ports) {
    for (HostPort.Builder port : ports) {
      boolean snat = DeviceOwners.ROUTER_SNAT.equals(port.getDeviceOwner());
      boolean onSubnet = port.getFixedIpsList().stream().anyMatch(ip -> subnets.contains(ip.getSubnetId()));
      if (onSubnet && (!snat || router.getSnatHere())) {
        router.addLocalPortIds(port.getPortId());
      }
    }
  }

  private static HostPeer.Builder peer(Map<String, HostPeer.Builder> peers, String host) {
    return peers.computeIfAbsent(host, h -> HostPeer.newBuilder().setHost(h));
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }

  private static RouterPortInfo.Builder port(UUID id, String mac, String ip, String cidr, UUID subnet, UUID network,
      Integer segmentation) {
    return RouterPortInfo.newBuilder().setPortId(id.toString()).setMacAddress(nz(mac)).setIpAddress(nz(ip))
        .setCidr(nz(cidr)).setSubnetId(subnet.toString()).setNetworkId(network.toString())
        .setSegmentationId(segmentation == null ? 0 : segmentation);
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}

package io.dvr.gateway.store;

import com.google.protobuf.Timestamp;
import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.AllocationPool;
import io.dvr.proto.v1.ExternalGatewayInfo;
import io.dvr.proto.v1.FixedIp;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.Status;
import io.dvr.common.model.DeviceOwners;
import io.dvr.proto.v1.RouterInterface;
import io.dvr.proto.v1.Subnet;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The SELECT lists of each resource and their rows turned into dvr.v1 messages. */
final class Mapping {
  /**
   * Whether a host's copy of a router ({@code ar}) sees the resource's last change ({@code c}); read
   * in the transaction that makes a change, that change is the last one, and no host has it yet.
   */
  private static final String SEES_LAST_CHANGE = "(coalesce(pg_current_xact_id_if_assigned()::text::bigint, c.change_id) "
      + "IS NULL OR dvr_sees(ar.generation, ar.in_progress, "
      + "coalesce(pg_current_xact_id_if_assigned()::text::bigint, c.change_id)))";

  static final String NETWORK_COLUMNS = "n.id, n.name, n.router_external, n.admin_state_up, n.segmentation_id, n.mtu, "
      + "n.revision, n.created_at, n.updated_at, n.project_id, "
      + "(SELECT coalesce(json_agg(s.id ORDER BY s.created_at, s.id), '[]') FROM subnets s WHERE s.network_id = n.id) AS subnet_ids";

  static final String SUBNET_COLUMNS = "s.id, s.name, s.network_id, s.ip_version, s.cidr::text AS cidr, "
      + "host(s.gateway_ip) AS gateway_ip, s.revision, s.created_at, s.updated_at, s.project_id, "
      + "(SELECT coalesce(json_agg(json_build_object('start', host(p.first_ip), 'end', host(p.last_ip)) "
      + "ORDER BY p.first_ip), '[]') FROM allocation_pools p WHERE p.subnet_id = s.id) AS pools";

  /**
   * A port's own columns and its binding_vif_type, without its addresses and SNAT binding: what
   * a port insert returns ({@code INSERT INTO ports AS p ... RETURNING}), so that a new port's
   * reply needs no read-back.
   */
  static final String PORT_ROW_COLUMNS = "p.id, p.name, p.network_id, p.mac_address::text AS mac_address, "
      + "p.device_owner, p.device_id, p.binding_host, p.status, p.admin_state_up, p.revision, "
      + "p.created_at, p.updated_at, p.project_id, "
      // Read, not stored: it follows the agents' registrations without an event of its own.
      + "CASE WHEN p.binding_host = '' THEN 'unbound' "
      + "WHEN EXISTS (SELECT 1 FROM agents g WHERE g.host = p.binding_host) THEN 'ovs' "
      + "ELSE 'binding_failed' END AS binding_vif_type";

  static final String PORT_COLUMNS = PORT_ROW_COLUMNS + ", "
      + "(SELECT coalesce(json_agg(json_build_object('subnet_id', a.subnet_id, 'ip_address', host(a.ip_address)) "
      + "ORDER BY a.ip_address), '[]') FROM ip_allocations a WHERE a.port_id = p.id) AS fixed_ips, "
      // A router's SNAT and gateway ports live where its SNAT is applied: bound to that host,
      // ACTIVE once it applied them (Neutron binds them to the SNAT host).
      + "CASE WHEN p.device_owner IN ('network:router_centralized_snat', 'network:router_gateway') THEN "
      + "(SELECT json_build_object('host', ar.host, 'status', CASE "
      + "WHEN " + SEES_LAST_CHANGE + " THEN 'ACTIVE' "
      + "WHEN h.failed_at IS NOT NULL THEN 'ERROR' ELSE 'DOWN' END) "
      + "FROM host_applied_routers ar JOIN host_applied h ON h.host = ar.host "
      + "LEFT JOIN changes c ON c.resource_id = p.id "
      + "WHERE ar.snat_here AND ar.router_id::text = p.device_id ORDER BY ar.host LIMIT 1) END AS snat_binding";

  /**
   * A router's status as its hosts applied it: ERROR when a host that carries it is behind and its
   * last apply failed, ACTIVE when every host carrying it (it holds the router, or a VM port on one
   * of its subnets is bound there) applied its last change, BUILD otherwise.
   */
  static final String APPLIED_ROUTER_STATUS = "(SELECT CASE "
      + "WHEN bool_or(NOT x.in_sync AND x.failing) THEN 'ERROR' WHEN bool_and(x.in_sync) IS NOT FALSE THEN 'ACTIVE' "
      + "ELSE 'BUILD' END FROM (SELECT coalesce(h.failed_at IS NOT NULL, false) AS failing, "
      + "(ar.router_id IS NOT NULL AND (" + SEES_LAST_CHANGE + ")) AS in_sync "
      + "FROM (SELECT hr.host FROM host_applied_routers hr WHERE hr.router_id = r.id UNION "
      + "SELECT vp.binding_host FROM ports vp JOIN ip_allocations va ON va.port_id = vp.id "
      + "JOIN router_interfaces vri ON vri.subnet_id = va.subnet_id WHERE vri.router_id = r.id "
      + "AND vp.device_owner LIKE 'compute:%' AND vp.binding_host <> '' "
      + "AND EXISTS (SELECT 1 FROM agents g WHERE g.host = vp.binding_host)) carriers "
      + "LEFT JOIN host_applied h ON h.host = carriers.host "
      + "LEFT JOIN host_applied_routers ar ON ar.host = carriers.host AND ar.router_id = r.id "
      + "LEFT JOIN changes c ON c.resource_id = r.id) x) AS applied_status";

  static final String ROUTER_COLUMNS = "r.id, r.name, r.distributed, r.ha, r.admin_state_up, r.gw_network_id, "
      + "r.gw_port_id, r.revision, r.created_at, r.updated_at, r.project_id, "
      + "(SELECT coalesce(json_agg(json_build_object('subnet_id', a.subnet_id, 'ip_address', host(a.ip_address)) "
      + "ORDER BY a.ip_address), '[]') FROM ip_allocations a WHERE a.port_id = r.gw_port_id) AS gw_ips, "
      + "(SELECT coalesce(json_agg(json_build_object('subnet_id', ri.subnet_id, 'port_id', ri.port_id, "
      + "'ip_address', (SELECT host(ia.ip_address) FROM ip_allocations ia WHERE ia.port_id = ri.port_id "
      + "AND ia.subnet_id = ri.subnet_id LIMIT 1), 'cidr', s.cidr::text, 'mac_address', ip.mac_address::text, "
      + "'network_id', s.network_id, 'snat_port_id', ri.snat_port_id, "
      + "'snat_ip_address', (SELECT host(sa.ip_address) FROM ip_allocations sa WHERE sa.port_id = ri.snat_port_id LIMIT 1)) "
      + "ORDER BY s.cidr), '[]') "
      + "FROM router_interfaces ri JOIN subnets s ON s.id = ri.subnet_id JOIN ports ip ON ip.id = ri.port_id "
      + "WHERE ri.router_id = r.id) AS interfaces, "
      + APPLIED_ROUTER_STATUS;


  static final String FLOATING_IP_COLUMNS = "f.id, f.floating_network_id, host(f.floating_ip_address) AS floating_ip_address, "
      + "f.port_id, host(f.fixed_ip_address) AS fixed_ip_address, f.router_id, f.floating_port_id, "
      + "f.revision, f.created_at, f.updated_at, f.project_id, "
      // The host of its port must have applied it: ACTIVE after, DOWN before, ERROR while that
      // host is behind and its last apply failed.
      + "CASE WHEN f.port_id IS NULL THEN 'DOWN' ELSE (SELECT CASE "
      + "WHEN ar.router_id IS NOT NULL AND (" + SEES_LAST_CHANGE + ") "
      + "THEN 'ACTIVE' WHEN h.failed_at IS NOT NULL THEN 'ERROR' ELSE 'DOWN' END "
      + "FROM ports vp LEFT JOIN host_applied h ON h.host = vp.binding_host "
      + "LEFT JOIN host_applied_routers ar ON ar.host = vp.binding_host AND ar.router_id = f.router_id "
      + "LEFT JOIN changes c ON c.resource_id = f.id WHERE vp.id = f.port_id) END AS applied_status";

  static String agentColumns(long downSeconds) {
    return "g.id, g.host, g.agent_type, g.agent_mode, g.binary_name, g.admin_state_up, g.last_heartbeat, g.tunnel_ip, "
        + "g.started_at, (g.last_heartbeat > now() - interval '" + downSeconds + " seconds') AS alive";
  }

  private Mapping() {}

  static Network network(Row r) {
    Network.Builder b = Network.newBuilder()
        .setProjectId(r.getString("project_id"))
        .setId(r.getUUID("id").toString())
        .setName(r.getString("name"))
        .setRouterExternal(r.getBoolean("router_external"))
        .setAdminStateUp(r.getBoolean("admin_state_up"))
        .setStatus(Status.STATUS_ACTIVE)
        .setStatusText("ACTIVE")
        .setSegmentationId(r.getInteger("segmentation_id"))
        .setMtu(r.getInteger("mtu"))
        .setRevision(r.getLong("revision"))
        .setCreatedAt(ts(r.getOffsetDateTime("created_at")))
        .setUpdatedAt(ts(r.getOffsetDateTime("updated_at")));
    json(r, "subnet_ids").forEach(id -> b.addSubnetIds(id.toString()));
    return b.build();
  }

  static Subnet subnet(Row r) {
    Subnet.Builder b = Subnet.newBuilder()
        .setProjectId(r.getString("project_id"))
        .setId(r.getUUID("id").toString())
        .setName(r.getString("name"))
        .setNetworkId(r.getUUID("network_id").toString())
        .setIpVersion(r.getInteger("ip_version"))
        .setCidr(r.getString("cidr"))
        .setGatewayIp(nz(r.getString("gateway_ip")))
        .setRevision(r.getLong("revision"))
        .setCreatedAt(ts(r.getOffsetDateTime("created_at")))
        .setUpdatedAt(ts(r.getOffsetDateTime("updated_at")));
    for (Object o : json(r, "pools")) {
      JsonObject p = (JsonObject) o;
      b.addAllocationPools(AllocationPool.newBuilder().setStart(p.getString("start")).setEnd(p.getString("end")));
    }
    return b.build();
  }

  static Port port(Row r) {
    List<FixedIp> fixedIps = new ArrayList<>();
    json(r, "fixed_ips").forEach(o -> fixedIps.add(fixedIp((JsonObject) o)));
    return port(r, r.getJsonObject("snat_binding"), fixedIps);
  }

  /** A router's SNAT and gateway ports: their host and status are where the router's SNAT is applied. */
  static boolean boundWithSnat(String deviceOwner) {
    return DeviceOwners.ROUTER_SNAT.equals(deviceOwner) || DeviceOwners.ROUTER_GATEWAY.equals(deviceOwner);
  }

  /** A port from a row of {@link #PORT_ROW_COLUMNS}, its SNAT binding and its addresses (in address order). */
  static Port port(Row r, JsonObject snat, List<FixedIp> fixedIps) {
    boolean routerOwned = boundWithSnat(r.getString("device_owner"));
    String status = routerOwned ? (snat == null ? "DOWN" : snat.getString("status")) : r.getString("status");
    Port.Builder b = Port.newBuilder()
        .setProjectId(r.getString("project_id"))
        .setId(r.getUUID("id").toString())
        .setName(r.getString("name"))
        .setNetworkId(r.getUUID("network_id").toString())
        .setMacAddress(r.getString("mac_address"))
        .setDeviceOwner(r.getString("device_owner"))
        .setDeviceId(r.getString("device_id"))
        .setBindingHost(routerOwned ? (snat == null ? "" : snat.getString("host")) : r.getString("binding_host"))
        .setBindingVifType(r.getString("binding_vif_type"))
        .setStatus(status(status))
        .setAdminStateUp(r.getBoolean("admin_state_up"))
        .setRevision(r.getLong("revision"))
        .setCreatedAt(ts(r.getOffsetDateTime("created_at")))
        .setUpdatedAt(ts(r.getOffsetDateTime("updated_at")))
        .addAllFixedIps(fixedIps);
    return b.build();
  }

  static Router router(Row r) {
    Router.Builder b = Router.newBuilder()
        .setProjectId(r.getString("project_id"))
        .setId(r.getUUID("id").toString())
        .setName(r.getString("name"))
        .setDistributed(r.getBoolean("distributed"))
        .setHa(r.getBoolean("ha"))
        .setAdminStateUp(r.getBoolean("admin_state_up"))
        .setStatus(status(r.getString("applied_status")))
        .setStatusText(r.getString("applied_status"))
        .setRevision(r.getLong("revision"))
        .setCreatedAt(ts(r.getOffsetDateTime("created_at")))
        .setUpdatedAt(ts(r.getOffsetDateTime("updated_at")));
    UUID gwNetwork = r.getUUID("gw_network_id");
    if (gwNetwork != null) {
      ExternalGatewayInfo.Builder gw = ExternalGatewayInfo.newBuilder()
          .setNetworkId(gwNetwork.toString())
          .setPortId(r.getUUID("gw_port_id").toString());
      json(r, "gw_ips").forEach(o -> gw.addExternalFixedIps(fixedIp((JsonObject) o)));
      b.setExternalGatewayInfo(gw);
    }
    for (Object o : json(r, "interfaces")) {
      JsonObject i = (JsonObject) o;
      b.addInterfaces(RouterInterface.newBuilder()
          .setSubnetId(i.getString("subnet_id"))
          .setPortId(i.getString("port_id"))
          .setIpAddress(nz(i.getString("ip_address")))
          .setCidr(i.getString("cidr"))
          .setMacAddress(i.getString("mac_address"))
          .setNetworkId(i.getString("network_id"))
          .setSnatPortId(nz(i.getString("snat_port_id")))
          .setSnatIpAddress(nz(i.getString("snat_ip_address"))));
    }
    return b.build();
  }

  static FloatingIp floatingIp(Row r) {
    return FloatingIp.newBuilder()
        .setProjectId(r.getString("project_id"))
        .setId(r.getUUID("id").toString())
        .setFloatingNetworkId(r.getUUID("floating_network_id").toString())
        .setFloatingIpAddress(r.getString("floating_ip_address"))
        .setPortId(uuid(r.getUUID("port_id")))
        .setFixedIpAddress(nz(r.getString("fixed_ip_address")))
        .setRouterId(uuid(r.getUUID("router_id")))
        .setFloatingPortId(r.getUUID("floating_port_id").toString())
        .setStatus(status(r.getString("applied_status")))
        .setStatusText(r.getString("applied_status"))
        .setRevision(r.getLong("revision"))
        .setCreatedAt(ts(r.getOffsetDateTime("created_at")))
        .setUpdatedAt(ts(r.getOffsetDateTime("updated_at")))
        .build();
  }

  /** A status as the database holds it (DOWN, BUILD, ACTIVE, ERROR). */
  static Status status(String text) {
    return Status.valueOf("STATUS_" + text);
  }

  static Agent agent(Row r) {
    return Agent.newBuilder()
        .setId(r.getUUID("id").toString())
        .setHost(r.getString("host"))
        .setAgentType(r.getString("agent_type"))
        .setAgentMode(r.getString("agent_mode"))
        .setBinary(r.getString("binary_name"))
        .setAdminStateUp(r.getBoolean("admin_state_up"))
        .setAlive(r.getBoolean("alive"))
        .setLastHeartbeat(ts(r.getOffsetDateTime("last_heartbeat")))
        .setStartedAt(ts(r.getOffsetDateTime("started_at")))
        .setTunnelIp(r.getString("tunnel_ip"))
        .build();
  }

  private static FixedIp fixedIp(JsonObject o) {
    return FixedIp.newBuilder().setSubnetId(o.getString("subnet_id")).setIpAddress(o.getString("ip_address")).build();
  }

  private static JsonArray json(Row r, String column) {
    Object v = r.getValue(column);
    if (v instanceof JsonArray a) {
      return a;
    }
    return v == null ? new JsonArray() : new JsonArray(v.toString());
  }

  static Timestamp ts(OffsetDateTime t) {
    return Timestamp.newBuilder().setSeconds(t.toEpochSecond()).setNanos(t.getNano()).build();
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  private static String uuid(UUID id) {
    return id == null ? "" : id.toString();
  }
}

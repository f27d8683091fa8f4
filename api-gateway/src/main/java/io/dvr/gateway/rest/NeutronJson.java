package io.dvr.gateway.rest;

import com.google.protobuf.Timestamp;
import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.FixedIp;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.Status;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.Subnet;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The dvr.v1 resources in Neutron's JSON shapes and names ({@code router:external},
 * {@code binding:host_id}, {@code revision_number}, {@code tenant_id} beside {@code project_id}).
 * Only attributes this system keeps are shown, plus Neutron's constant answers where the system
 * has one behaviour (a subnet serves no DHCP, a router always SNATs).
 */
final class NeutronJson {
  /** The attributes of each resource: what may be filtered on and asked for with fields=. */
  static final List<String> NETWORK = List.of("id", "name", "description", "admin_state_up", "status", "subnets",
      "shared", "router:external", "mtu", "project_id", "tenant_id", "revision_number", "created_at", "updated_at");
  static final List<String> SUBNET = List.of("id", "name", "description", "network_id", "ip_version", "cidr",
      "gateway_ip", "allocation_pools", "enable_dhcp", "dns_nameservers", "host_routes", "project_id", "tenant_id",
      "revision_number", "created_at", "updated_at");
  static final List<String> PORT = List.of("id", "name", "description", "network_id", "mac_address", "fixed_ips",
      "device_owner", "device_id", "binding:host_id", "binding:vif_type", "binding:vnic_type", "status",
      "admin_state_up", "project_id", "tenant_id", "revision_number", "created_at", "updated_at");
  static final List<String> ROUTER = List.of("id", "name", "description", "status", "admin_state_up", "distributed",
      "ha", "external_gateway_info", "routes", "project_id", "tenant_id", "revision_number", "created_at",
      "updated_at");
  static final List<String> FLOATING_IP = List.of("id", "floating_network_id", "floating_ip_address", "port_id",
      "fixed_ip_address", "router_id", "status", "description", "project_id", "tenant_id", "revision_number",
      "created_at", "updated_at");
  static final List<String> AGENT = List.of("id", "agent_type", "binary", "host", "topic", "alive",
      "admin_state_up", "configurations", "heartbeat_timestamp", "started_at", "created_at", "description");

  private static final DateTimeFormatter AGENT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
      .withZone(ZoneOffset.UTC);

  private NeutronJson() {}

  static JsonObject network(Network n) {
    return new JsonObject().put("id", n.getId()).put("name", n.getName()).put("description", "")
        .put("admin_state_up", n.getAdminStateUp()).put("status", status(n.getStatus()))
        .put("subnets", new JsonArray(List.copyOf(n.getSubnetIdsList()))).put("shared", false)
        .put("router:external", n.getRouterExternal()).put("mtu", n.getMtu())
        .put("project_id", n.getProjectId()).put("tenant_id", n.getProjectId())
        .put("revision_number", n.getRevision())
        .put("created_at", time(n.getCreatedAt())).put("updated_at", time(n.getUpdatedAt()));
  }

  static JsonObject subnet(Subnet s) {
    JsonArray pools = new JsonArray();
    s.getAllocationPoolsList().forEach(p -> pools.add(new JsonObject().put("start", p.getStart()).put("end", p.getEnd())));
    return new JsonObject().put("id", s.getId()).put("name", s.getName()).put("description", "")
        .put("network_id", s.getNetworkId()).put("ip_version", s.getIpVersion() == 0 ? 4 : s.getIpVersion())
        .put("cidr", s.getCidr()).put("gateway_ip", emptyToNull(s.getGatewayIp())).put("allocation_pools", pools)
        .put("enable_dhcp", false).put("dns_nameservers", new JsonArray()).put("host_routes", new JsonArray())
        .put("project_id", s.getProjectId()).put("tenant_id", s.getProjectId())
        .put("revision_number", s.getRevision())
        .put("created_at", time(s.getCreatedAt())).put("updated_at", time(s.getUpdatedAt()));
  }

  static JsonObject port(Port p) {
    return new JsonObject().put("id", p.getId()).put("name", p.getName()).put("description", "")
        .put("network_id", p.getNetworkId()).put("mac_address", p.getMacAddress())
        .put("fixed_ips", fixedIps(p.getFixedIpsList()))
        .put("device_owner", p.getDeviceOwner()).put("device_id", p.getDeviceId())
        .put("binding:host_id", p.getBindingHost()).put("binding:vif_type", p.getBindingVifType())
        .put("binding:vnic_type", "normal").put("status", status(p.getStatus()))
        .put("admin_state_up", p.getAdminStateUp())
        .put("project_id", p.getProjectId()).put("tenant_id", p.getProjectId())
        .put("revision_number", p.getRevision())
        .put("created_at", time(p.getCreatedAt())).put("updated_at", time(p.getUpdatedAt()));
  }

  /** Neutron's states of every resource are the enum's names: DOWN, BUILD, ACTIVE, ERROR. */
  static String status(Status status) {
    return switch (status) {
      case STATUS_ACTIVE -> "ACTIVE";
      case STATUS_BUILD -> "BUILD";
      case STATUS_ERROR -> "ERROR";
      default -> "DOWN";
    };
  }

  static JsonObject router(Router r) {
    Object gateway = null;
    if (r.hasExternalGatewayInfo() && !r.getExternalGatewayInfo().getNetworkId().isEmpty()) {
      gateway = new JsonObject().put("network_id", r.getExternalGatewayInfo().getNetworkId())
          .put("enable_snat", true)
          .put("external_fixed_ips", fixedIps(r.getExternalGatewayInfo().getExternalFixedIpsList()));
    }
    return new JsonObject().put("id", r.getId()).put("name", r.getName()).put("description", "")
        .put("status", status(r.getStatus())).put("admin_state_up", r.getAdminStateUp())
        .put("distributed", r.getDistributed()).put("ha", r.getHa()).put("external_gateway_info", gateway)
        .put("routes", new JsonArray())
        .put("project_id", r.getProjectId()).put("tenant_id", r.getProjectId())
        .put("revision_number", r.getRevision())
        .put("created_at", time(r.getCreatedAt())).put("updated_at", time(r.getUpdatedAt()));
  }

  static JsonObject floatingIp(FloatingIp f) {
    return new JsonObject().put("id", f.getId()).put("floating_network_id", f.getFloatingNetworkId())
        .put("floating_ip_address", f.getFloatingIpAddress()).put("port_id", emptyToNull(f.getPortId()))
        .put("fixed_ip_address", emptyToNull(f.getFixedIpAddress())).put("router_id", emptyToNull(f.getRouterId()))
        .put("status", status(f.getStatus())).put("description", "")
        .put("project_id", f.getProjectId()).put("tenant_id", f.getProjectId())
        .put("revision_number", f.getRevision())
        .put("created_at", time(f.getCreatedAt())).put("updated_at", time(f.getUpdatedAt()));
  }

  /** Agents show their times as Neutron's agents table does: "2026-12-05 03:00:00" (UTC). */
  static JsonObject agent(Agent a) {
    JsonObject configurations = new JsonObject().put("agent_mode", a.getAgentMode());
    if (!a.getTunnelIp().isEmpty()) {
      configurations.put("tunneling_ip", a.getTunnelIp()).put("tunnel_types", new JsonArray().add("vxlan"));
    }
    return new JsonObject().put("id", a.getId()).put("agent_type", a.getAgentType()).put("binary", a.getBinary())
        .put("host", a.getHost()).put("topic", "l3_agent").put("alive", a.getAlive())
        .put("admin_state_up", a.getAdminStateUp()).put("configurations", configurations)
        .put("heartbeat_timestamp", agentTime(a.getLastHeartbeat())).put("started_at", agentTime(a.getStartedAt()))
        .put("created_at", agentTime(a.getStartedAt())).put("description", null);
  }

  static JsonArray fixedIps(List<FixedIp> ips) {
    JsonArray out = new JsonArray();
    ips.forEach(ip -> out.add(new JsonObject().put("subnet_id", ip.getSubnetId()).put("ip_address", ip.getIpAddress())));
    return out;
  }

  /** Neutron's standard attributes: ISO 8601 to the second, UTC ("2026-12-05T03:00:00Z"). */
  static String time(Timestamp t) {
    if (t.getSeconds() == 0 && t.getNanos() == 0) {
      return null;
    }
    return Instant.ofEpochSecond(t.getSeconds()).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static String agentTime(Timestamp t) {
    return t.getSeconds() == 0 ? null : AGENT_TIME.format(Instant.ofEpochSecond(t.getSeconds()));
  }

  private static String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }
}

package io.dvr.cli;

import com.google.protobuf.MessageOrBuilder;
import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.AllocationPool;
import io.dvr.proto.v1.AppliedStatus;
import io.dvr.proto.v1.ExternalGatewayInfo;
import io.dvr.proto.v1.FixedIp;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.Subnet;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The typed values behind the tables' cells, for {@code -f json|yaml|value}: booleans as
 * booleans, counters as numbers, fixed IPs, pools and subnets as lists, the gateway as an object,
 * {@code null} where Neutron has none. Keys are the tables' own (Neutron's field names, as the
 * REST face writes them); a field not given here keeps its table text, which for ids, names,
 * statuses and times already is the value.
 */
final class TypedFields {

  private TypedFields() {}

  static JsonObject of(MessageOrBuilder resource) {
    if (resource instanceof Network n) {
      return new JsonObject().put("admin_state_up", n.getAdminStateUp())
          .put("router:external", n.getRouterExternal())
          .put("subnets", new JsonArray(List.copyOf(n.getSubnetIdsList())))
          .put("mtu", n.getMtu())
          .put("provider:segmentation_id", Integer.toUnsignedLong(n.getSegmentationId()))
          .put("revision_number", n.getRevision());
    }
    if (resource instanceof Subnet s) {
      JsonArray pools = new JsonArray();
      for (AllocationPool p : s.getAllocationPoolsList()) {
        pools.add(new JsonObject().put("start", p.getStart()).put("end", p.getEnd()));
      }
      return new JsonObject().put("allocation_pools", pools).put("ip_version", s.getIpVersion())
          .put("gateway_ip", emptyToNull(s.getGatewayIp())).put("revision_number", s.getRevision());
    }
    if (resource instanceof Router r) {
      return new JsonObject().put("admin_state_up", r.getAdminStateUp()).put("distributed", r.getDistributed())
          .put("external_gateway_info", r.hasExternalGatewayInfo() ? gateway(r.getExternalGatewayInfo()) : null)
          .put("revision_number", r.getRevision());
    }
    if (resource instanceof Port p) {
      return new JsonObject().put("admin_state_up", p.getAdminStateUp())
          .put("fixed_ips", fixedIps(p.getFixedIpsList())).put("revision_number", p.getRevision());
    }
    if (resource instanceof FloatingIp f) {
      return new JsonObject().put("fixed_ip_address", emptyToNull(f.getFixedIpAddress()))
          .put("port_id", emptyToNull(f.getPortId())).put("router_id", emptyToNull(f.getRouterId()))
          .put("revision_number", f.getRevision());
    }
    if (resource instanceof Agent a) {
      return new JsonObject().put("admin_state_up", a.getAdminStateUp()).put("alive", a.getAlive())
          .put("heartbeat_timestamp", a.hasLastHeartbeat() ? Views.time(a.getLastHeartbeat()) : null)
          .put("started_at", a.hasStartedAt() ? Views.time(a.getStartedAt()) : null);
    }
    if (resource instanceof RouterHost h) {
      return new JsonObject().put("id", h.getAgentId()).put("admin_state_up", h.getAdminStateUp())
          .put("alive", h.getAlive()).put("snat", h.getSnat());
    }
    if (resource instanceof AppliedStatus s) {
      return new JsonObject().put("in_sync", s.getInSync()).put("desired", s.getDesiredGeneration())
          .put("applied", s.getAppliedGeneration()).put("snat", s.getSnat())
          .put("last_applied", s.hasLastAppliedAt() ? Views.time(s.getLastAppliedAt()) : null)
          .put("last_error", emptyToNull(s.getLastError()));
    }
    return new JsonObject();
  }

  static JsonArray fixedIps(List<FixedIp> ips) {
    JsonArray out = new JsonArray();
    ips.forEach(ip -> out.add(new JsonObject().put("subnet_id", ip.getSubnetId()).put("ip_address", ip.getIpAddress())));
    return out;
  }

  private static JsonObject gateway(ExternalGatewayInfo g) {
    return new JsonObject().put("network_id", g.getNetworkId())
        .put("external_fixed_ips", fixedIps(g.getExternalFixedIpsList()));
  }

  private static String emptyToNull(String text) {
    return text.isEmpty() ? null : text;
  }

}

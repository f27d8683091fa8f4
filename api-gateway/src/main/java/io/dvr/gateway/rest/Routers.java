package io.dvr.gateway.rest;

import static io.dvr.gateway.rest.NeutronErrors.badRequest;

import io.dvr.gateway.api.AgentApi;
import io.dvr.gateway.api.RouterApi;
import io.dvr.proto.v1.ClearRouterGatewayRequest;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.DeleteRouterRequest;
import io.dvr.proto.v1.GetAgentRequest;
import io.dvr.proto.v1.GetRouterRequest;
import io.dvr.proto.v1.HaState;
import io.dvr.proto.v1.ListRouterHostsRequest;
import io.dvr.proto.v1.ListRoutersRequest;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterInterface;
import io.dvr.proto.v1.RouterInterfaceRequest;
import io.dvr.proto.v1.SetRouterGatewayRequest;
import io.dvr.proto.v1.UpdateRouterRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * /v2.0/routers over dvr.v1.RouterService: the gateway is set and cleared through
 * {@code external_gateway_info}, interfaces by {@code add_router_interface} and
 * {@code remove_router_interface}, and {@code l3-agents} lists the hosts carrying the router.
 */
final class Routers implements Collection {
  private static final Map<String, Object> FIXED = fixed();
  private final RouterApi api;
  private final AgentApi agents;

  Routers(RouterApi api, AgentApi agents) {
    this.api = api;
    this.agents = agents;
  }

  private static Map<String, Object> fixed() {
    Map<String, Object> fixed = new HashMap<>();
    fixed.put("description", null);
    fixed.put("routes", new JsonArray());
    return fixed;
  }

  @Override public String singular() { return "router"; }
  @Override public String plural() { return "routers"; }
  @Override public String kind() { return "router"; }
  @Override public List<String> attributes() { return NeutronJson.ROUTER; }

  @Override
  public Future<List<JsonObject>> list(ListQuery query) {
    ListRoutersRequest.Builder r = ListRoutersRequest.newBuilder().setPageSize(1000);
    if (query.single("name") != null) {
      r.setName(query.single("name"));
    }
    return Collection.all(token -> api.listRouters(r.setPageToken(token).build())
        .map(page -> new Page(page.getRoutersList().stream().map(NeutronJson::router).toList(),
            page.getNextPageToken())));
  }

  @Override
  public Future<JsonObject> show(String id) {
    return get(id).map(NeutronJson::router);
  }

  private Future<Router> get(String id) {
    return api.getRouter(GetRouterRequest.newBuilder().setId(id(id)).build());
  }

  @Override
  public Future<JsonObject> create(JsonObject json) {
    Body b = Body.of(json, "router", NeutronJson.ROUTER, Set.of("name", "admin_state_up", "distributed",
        "ha", "external_gateway_info", "project_id", "tenant_id"), FIXED);
    CreateRouterRequest.Builder r = CreateRouterRequest.newBuilder().setName(b.string("name"))
        .setProjectId(b.project());
    if (b.bool("distributed") != null) {
      r.setDistributed(b.bool("distributed"));
    }
    if (b.bool("admin_state_up") != null) {
      r.setAdminStateUp(b.bool("admin_state_up"));
    }
    if (b.bool("ha") != null) {
      r.setHa(b.bool("ha"));
    }
    SetRouterGatewayRequest gateway = gateway(b.object("external_gateway_info"));
    // One call: the router and its gateway are made in one transaction, or neither.
    if (gateway != null) {
      r.setGatewayNetworkId(gateway.getNetworkId()).setGatewayIpAddress(gateway.getIpAddress());
    }
    return api.createRouter(r.build()).map(NeutronJson::router);
  }

  @Override
  public boolean checksRevision() {
    return true;
  }

  @Override
  public Future<JsonObject> update(String id, JsonObject json, Long ifRevision) {
    Body b = Body.of(json, "router", NeutronJson.ROUTER, Set.of("name", "admin_state_up",
        "external_gateway_info"), FIXED);
    String routerId = id(id);
    UpdateRouterRequest.Builder r = UpdateRouterRequest.newBuilder().setId(routerId);
    if (ifRevision != null) {
      r.setIfRevision(ifRevision);
    }
    if (b.has("name")) {
      r.setName(b.string("name"));
    }
    if (b.bool("admin_state_up") != null) {
      r.setAdminStateUp(b.bool("admin_state_up"));
    }
    Future<Router> updated = api.updateRouter(r.build());
    if (!b.has("external_gateway_info")) {
      return updated.map(NeutronJson::router);
    }
    JsonObject info = b.object("external_gateway_info");
    SetRouterGatewayRequest gateway = gateway(info);
    // null or {} clears the gateway, as in Neutron.
    return updated.compose(router -> gateway == null
            ? api.clearRouterGateway(ClearRouterGatewayRequest.newBuilder().setRouterId(routerId).build())
            : api.setRouterGateway(gateway.toBuilder().setRouterId(routerId).build()))
        .map(NeutronJson::router);
  }

  /** external_gateway_info as a gateway request; null when it asks for none. */
  private static SetRouterGatewayRequest gateway(JsonObject info) {
    if (info == null || info.isEmpty()) {
      return null;
    }
    for (String key : info.fieldNames()) {
      if (!Set.of("network_id", "enable_snat", "external_fixed_ips").contains(key)) {
        throw badRequest("Unrecognized attribute(s) 'external_gateway_info." + key + "'");
      }
    }
    if (!(info.getValue("network_id") instanceof String network) || network.isEmpty()) {
      throw badRequest("Invalid input for external_gateway_info. Reason: network_id is required.");
    }
    Object snat = info.getValue("enable_snat");
    if (snat != null && !Boolean.TRUE.equals(snat)) {
      throw badRequest("Invalid input for external_gateway_info.enable_snat. Reason: '" + snat + "': this"
          + " system always translates the router's outbound traffic (enable_snat true).");
    }
    SetRouterGatewayRequest.Builder r = SetRouterGatewayRequest.newBuilder().setNetworkId(network);
    Object ips = info.getValue("external_fixed_ips");
    if (ips != null) {
      if (!(ips instanceof JsonArray list) || list.size() > 1) {
        throw badRequest("Invalid input for external_gateway_info.external_fixed_ips. Reason: '" + ips + "': give at"
            + " most one fixed IP (the router's gateway has one address).");
      }
      if (!list.isEmpty()) {
        if (!(list.getValue(0) instanceof JsonObject ip)) {
          throw badRequest("Invalid input for external_gateway_info.external_fixed_ips. Reason: '" + ips
              + "' must be a list of objects.");
        }
        if (ip.getValue("ip_address") instanceof String address) {
          r.setIpAddress(address);
        }
      }
    }
    return r.build();
  }

  @Override
  public Future<Void> delete(String id) {
    return api.deleteRouter(DeleteRouterRequest.newBuilder().setId(id(id)).build()).mapEmpty();
  }

  /**
   * PUT add_router_interface: by subnet (a port the router makes takes the subnet's gateway_ip) or
   * by port (the port's fixed IP is the router's address on its subnet).
   */
  Future<JsonObject> addInterface(String id, JsonObject body) {
    String routerId = id(id);
    InterfaceArgs args = InterfaceArgs.of(body);
    RouterInterfaceRequest.Builder r = RouterInterfaceRequest.newBuilder().setRouterId(routerId);
    if (args.port() != null) {
      r.setPortId(args.port());
    } else {
      r.setSubnetId(args.subnet());
    }
    return api.addRouterInterface(r.build()).map(router -> {
      RouterInterface itf = router.getInterfacesList().stream()
          .filter(i -> args.port() != null ? i.getPortId().equals(args.port()) : i.getSubnetId().equals(args.subnet()))
          .findFirst().orElse(null);
      return interfaceInfo(router, itf != null ? itf.getSubnetId() : args.subnet(), itf);
    });
  }

  /** PUT remove_router_interface: by subnet or by the interface's port. */
  Future<JsonObject> removeInterface(String id, JsonObject body) {
    String routerId = id(id);
    InterfaceArgs args = InterfaceArgs.of(body);
    return get(routerId).compose(router -> {
      RouterInterface found = router.getInterfacesList().stream()
          .filter(i -> args.subnet() != null ? i.getSubnetId().equals(args.subnet()) : i.getPortId().equals(args.port()))
          .findFirst().orElse(null);
      if (found == null && args.port() != null) {
        throw new NeutronErrors.RestError(404, "RouterInterfaceNotFound", "router '" + routerId
            + "' has no interface with port_id '" + args.port() + "'");
      }
      String subnet = found != null ? found.getSubnetId() : args.subnet();
      return api.removeRouterInterface(RouterInterfaceRequest.newBuilder().setRouterId(routerId)
          .setSubnetId(subnet).build()).map(after -> interfaceInfo(after, subnet, found));
    });
  }

  /** Neutron's answer to an interface change: the router, the subnet, the port, the network. */
  private static JsonObject interfaceInfo(Router router, String subnet, RouterInterface itf) {
    JsonObject out = new JsonObject().put("id", router.getId()).put("subnet_id", subnet)
        .put("subnet_ids", new JsonArray().add(subnet))
        .put("project_id", router.getProjectId()).put("tenant_id", router.getProjectId());
    if (itf != null) {
      out.put("port_id", itf.getPortId()).put("network_id", itf.getNetworkId());
    }
    return out;
  }

  private record InterfaceArgs(String subnet, String port) {
    static InterfaceArgs of(JsonObject body) {
      if (body == null) {
        throw badRequest("the request body must be a JSON object with subnet_id or port_id");
      }
      for (String key : body.fieldNames()) {
        if (!key.equals("subnet_id") && !key.equals("port_id")) {
          throw badRequest("Unrecognized attribute(s) '" + key + "'");
        }
      }
      Object subnet = body.getValue("subnet_id");
      Object port = body.getValue("port_id");
      if ((subnet == null) == (port == null)) {
        throw badRequest("Bad router request: Either subnet_id or port_id must be specified, not both.");
      }
      if (subnet != null && !(subnet instanceof String)) {
        throw badRequest("Invalid input for subnet_id. Reason: '" + subnet + "' is not a string.");
      }
      if (port != null && !(port instanceof String)) {
        throw badRequest("Invalid input for port_id. Reason: '" + port + "' is not a string.");
      }
      return new InterfaceArgs((String) subnet, (String) port);
    }
  }

  /**
   * GET /v2.0/routers/{id}/l3-agents: the agents of the hosts that carry the router; on an HA
   * router's SNAT hosts with their ha_state ("active" / "standby") as Neutron shows it.
   */
  Future<JsonObject> l3Agents(String id) {
    return api.listRouterHosts(ListRouterHostsRequest.newBuilder().setRouterId(id(id)).build())
        .compose(hosts -> Future.all(hosts.getHostsList().stream()
            .map(h -> agents.getAgent(GetAgentRequest.newBuilder().setId(h.getAgentId()).build())).toList())
            .map(all -> {
              JsonArray out = new JsonArray();
              for (int i = 0; i < all.size(); i++) {
                JsonObject agent = NeutronJson.agent(all.resultAt(i));
                HaState role = hosts.getHosts(i).getHaState();
                if (role != HaState.HA_STATE_UNSPECIFIED) {
                  agent.put("ha_state", role == HaState.HA_STATE_ACTIVE ? "active" : "standby");
                }
                out.add(agent);
              }
              return new JsonObject().put("agents", out);
            }));
  }
}

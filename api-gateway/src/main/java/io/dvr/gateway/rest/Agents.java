package io.dvr.gateway.rest;

import io.dvr.gateway.api.AgentApi;
import io.dvr.gateway.api.RouterApi;
import io.dvr.proto.v1.AgentRouterRequest;
import io.dvr.proto.v1.DeleteAgentRequest;
import io.dvr.proto.v1.GetAgentRequest;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.ListRouterHostsRequest;
import io.dvr.proto.v1.ListRoutersRequest;
import io.dvr.proto.v1.UpdateAgentRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** /v2.0/agents over dvr.v1.AgentService (an admin's), and each agent's {@code l3-routers}. */
final class Agents implements Collection {
  private static final Map<String, Object> FIXED = fixed();
  private final AgentApi api;
  private final RouterApi routers;

  Agents(AgentApi api, RouterApi routers) {
    this.api = api;
    this.routers = routers;
  }

  private static Map<String, Object> fixed() {
    Map<String, Object> fixed = new HashMap<>();
    fixed.put("description", null);
    return fixed;
  }

  @Override public String singular() { return "agent"; }
  @Override public String plural() { return "agents"; }
  @Override public String kind() { return "agent"; }
  @Override public Set<String> operations() { return Set.of("list", "show", "update", "delete"); }
  @Override public List<String> attributes() { return NeutronJson.AGENT; }

  @Override
  public Future<List<JsonObject>> list(ListQuery query) {
    ListAgentsRequest.Builder r = ListAgentsRequest.newBuilder();
    if (query.single("host") != null) {
      r.setHost(query.single("host"));
    }
    return api.listAgents(r.build()).map(list -> list.getAgentsList().stream().map(NeutronJson::agent).toList());
  }

  @Override
  public Future<JsonObject> show(String id) {
    return api.getAgent(GetAgentRequest.newBuilder().setId(id(id)).build()).map(NeutronJson::agent);
  }

  @Override
  public Future<JsonObject> update(String id, JsonObject json) {
    Body b = Body.of(json, "agent", NeutronJson.AGENT, Set.of("admin_state_up"), FIXED);
    UpdateAgentRequest.Builder r = UpdateAgentRequest.newBuilder().setId(id(id));
    if (b.bool("admin_state_up") != null) {
      r.setAdminStateUp(b.bool("admin_state_up"));
    }
    return api.updateAgent(r.build()).map(NeutronJson::agent);
  }

  @Override
  public Future<Void> delete(String id) {
    return api.deleteAgent(DeleteAgentRequest.newBuilder().setId(id(id)).build()).mapEmpty();
  }

  /**
   * GET /v2.0/agents/{id}/l3-routers: the routers whose hosts include the agent's. Asked router by
   * router of scheduler-svc (one question each): fine for a lab's routers, not for thousands.
   */
  Future<JsonObject> l3Routers(String id) {
    return show(id).compose(agent -> Collection.all(token -> routers.listRouters(ListRoutersRequest.newBuilder()
            .setPageSize(1000).setPageToken(token).build())
            .map(page -> new Page(page.getRoutersList().stream().map(NeutronJson::router).toList(),
                page.getNextPageToken())))
        .compose(all -> {
          List<Future<Boolean>> hosted = new ArrayList<>();
          for (JsonObject router : all) {
            hosted.add(routers.listRouterHosts(ListRouterHostsRequest.newBuilder().setRouterId(router.getString("id"))
                .build()).map(hosts -> hosts.getHostsList().stream().anyMatch(h -> h.getAgentId().equals(id))));
          }
          return Future.all(hosted).map(v -> {
            JsonArray out = new JsonArray();
            for (int i = 0; i < all.size(); i++) {
              if (hosted.get(i).result()) {
                out.add(all.get(i));
              }
            }
            return new JsonObject().put("routers", out);
          });
        }));
  }

  /** POST /v2.0/agents/{id}/l3-routers {"router_id": ...}: the router's SNAT on the agent's host (l3-agent-router-add). */
  Future<JsonObject> addL3Router(String id, JsonObject body) {
    Object router = body == null ? null : body.getValue("router_id");
    if (!(router instanceof String routerId)) {
      throw NeutronErrors.badRequest("the request body must be {\"router_id\": \"<router id>\"}");
    }
    return api.addRouterToAgent(AgentRouterRequest.newBuilder().setAgentId(id(id)).setRouterId(id(routerId)).build())
        .map(hosts -> new JsonObject());
  }

  /** DELETE /v2.0/agents/{id}/l3-routers/{router_id}: the router's SNAT off the agent's host (l3-agent-router-remove). */
  Future<JsonObject> removeL3Router(String id, String routerId) {
    return api.removeRouterFromAgent(AgentRouterRequest.newBuilder().setAgentId(id(id)).setRouterId(id(routerId)).build())
        .map(hosts -> new JsonObject());
  }
}

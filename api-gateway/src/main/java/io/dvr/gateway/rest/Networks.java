package io.dvr.gateway.rest;

import io.dvr.gateway.api.NetworkApi;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.DeleteNetworkRequest;
import io.dvr.proto.v1.GetNetworkRequest;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.UpdateNetworkRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** /v2.0/networks over dvr.v1.NetworkService. */
final class Networks implements Collection {
  private static final Map<String, Object> FIXED = fixed();
  private final NetworkApi api;

  Networks(NetworkApi api) {
    this.api = api;
  }

  private static Map<String, Object> fixed() {
    Map<String, Object> fixed = new HashMap<>();
    fixed.put("description", null);
    fixed.put("shared", false);
    return fixed;
  }

  @Override public String singular() { return "network"; }
  @Override public String plural() { return "networks"; }
  @Override public String kind() { return "network"; }
  @Override public List<String> attributes() { return NeutronJson.NETWORK; }

  @Override
  public Future<List<JsonObject>> list(ListQuery query) {
    ListNetworksRequest.Builder r = ListNetworksRequest.newBuilder().setPageSize(1000);
    if (query.single("name") != null) {
      r.setName(query.single("name"));
    }
    return Collection.all(token -> api.listNetworks(r.setPageToken(token).build())
        .map(page -> new Page(page.getNetworksList().stream().map(NeutronJson::network).toList(),
            page.getNextPageToken())));
  }

  @Override
  public Future<JsonObject> show(String id) {
    return api.getNetwork(GetNetworkRequest.newBuilder().setId(id(id)).build()).map(NeutronJson::network);
  }

  @Override
  public Future<JsonObject> create(JsonObject json) {
    Body b = Body.of(json, "network", NeutronJson.NETWORK,
        Set.of("name", "admin_state_up", "router:external", "mtu", "project_id", "tenant_id"), FIXED);
    CreateNetworkRequest.Builder r = CreateNetworkRequest.newBuilder().setName(b.string("name"))
        .setProjectId(b.project());
    if (b.bool("router:external") != null) {
      r.setRouterExternal(b.bool("router:external"));
    }
    if (b.bool("admin_state_up") != null) {
      r.setAdminStateUp(b.bool("admin_state_up"));
    }
    if (b.integer("mtu") != null) {
      r.setMtu(b.integer("mtu"));
    }
    return api.createNetwork(r.build()).map(NeutronJson::network);
  }

  @Override
  public boolean checksRevision() {
    return true;
  }

  @Override
  public Future<JsonObject> update(String id, JsonObject json, Long ifRevision) {
    Body b = Body.of(json, "network", NeutronJson.NETWORK, Set.of("name", "admin_state_up", "mtu"), FIXED);
    UpdateNetworkRequest.Builder r = UpdateNetworkRequest.newBuilder().setId(id(id));
    if (ifRevision != null) {
      r.setIfRevision(ifRevision);
    }
    if (b.has("name")) {
      r.setName(b.string("name"));
    }
    if (b.bool("admin_state_up") != null) {
      r.setAdminStateUp(b.bool("admin_state_up"));
    }
    if (b.integer("mtu") != null) {
      r.setMtu(b.integer("mtu"));
    }
    return api.updateNetwork(r.build()).map(NeutronJson::network);
  }

  @Override
  public Future<Void> delete(String id) {
    return api.deleteNetwork(DeleteNetworkRequest.newBuilder().setId(id(id)).build()).mapEmpty();
  }
}

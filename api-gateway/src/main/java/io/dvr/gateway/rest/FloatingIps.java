package io.dvr.gateway.rest;

import io.dvr.gateway.api.FloatingIpApi;
import io.dvr.proto.v1.AssociateFloatingIpRequest;
import io.dvr.proto.v1.CreateFloatingIpRequest;
import io.dvr.proto.v1.DeleteFloatingIpRequest;
import io.dvr.proto.v1.DisassociateFloatingIpRequest;
import io.dvr.proto.v1.GetFloatingIpRequest;
import io.dvr.proto.v1.ListFloatingIpsRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** /v2.0/floatingips over dvr.v1.FloatingIpService: PUT with a port_id associates, with null disassociates. */
final class FloatingIps implements Collection {
  private static final Map<String, Object> FIXED = fixed();
  private final FloatingIpApi api;

  FloatingIps(FloatingIpApi api) {
    this.api = api;
  }

  private static Map<String, Object> fixed() {
    Map<String, Object> fixed = new HashMap<>();
    fixed.put("description", null);
    return fixed;
  }

  @Override public String singular() { return "floatingip"; }
  @Override public String plural() { return "floatingips"; }
  @Override public String kind() { return "floating IP"; }
  @Override public List<String> attributes() { return NeutronJson.FLOATING_IP; }

  @Override
  public Future<List<JsonObject>> list(ListQuery query) {
    ListFloatingIpsRequest.Builder r = ListFloatingIpsRequest.newBuilder().setPageSize(1000);
    return Collection.all(token -> api.listFloatingIps(r.setPageToken(token).build())
        .map(page -> new Page(page.getFloatingIpsList().stream().map(NeutronJson::floatingIp).toList(),
            page.getNextPageToken())));
  }

  @Override
  public Future<JsonObject> show(String id) {
    return api.getFloatingIp(GetFloatingIpRequest.newBuilder().setId(id(id)).build()).map(NeutronJson::floatingIp);
  }

  @Override
  public Future<JsonObject> create(JsonObject json) {
    Body b = Body.of(json, "floatingip", NeutronJson.FLOATING_IP, Set.of("floating_network_id",
        "floating_ip_address", "port_id", "fixed_ip_address", "project_id", "tenant_id"), FIXED);
    CreateFloatingIpRequest r = CreateFloatingIpRequest.newBuilder()
        .setFloatingNetworkId(b.string("floating_network_id")).setFloatingIpAddress(b.string("floating_ip_address"))
        .setPortId(b.string("port_id")).setFixedIpAddress(b.string("fixed_ip_address")).setProjectId(b.project())
        .build();
    return api.createFloatingIp(r).map(NeutronJson::floatingIp);
  }

  @Override
  public Future<JsonObject> update(String id, JsonObject json) {
    Body b = Body.of(json, "floatingip", NeutronJson.FLOATING_IP, Set.of("port_id", "fixed_ip_address"), FIXED);
    String fip = id(id);
    if (!b.has("port_id")) {
      return show(fip);
    }
    if (b.isNull("port_id") || b.string("port_id").isEmpty()) {
      return api.disassociateFloatingIp(DisassociateFloatingIpRequest.newBuilder().setId(fip).build())
          .map(NeutronJson::floatingIp);
    }
    return api.associateFloatingIp(AssociateFloatingIpRequest.newBuilder().setId(fip).setPortId(b.string("port_id"))
        .setFixedIpAddress(b.string("fixed_ip_address")).build()).map(NeutronJson::floatingIp);
  }

  @Override
  public Future<Void> delete(String id) {
    return api.deleteFloatingIp(DeleteFloatingIpRequest.newBuilder().setId(id(id)).build()).mapEmpty();
  }
}

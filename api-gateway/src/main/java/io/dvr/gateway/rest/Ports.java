package io.dvr.gateway.rest;

import io.dvr.gateway.api.PortApi;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreatePortsRequest;
import io.dvr.proto.v1.DeletePortRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.GetPortRequest;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.UpdatePortRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** /v2.0/ports over dvr.v1.PortService, with the binding extension's {@code binding:host_id}. */
final class Ports implements Collection {
  private static final Map<String, Object> FIXED = fixed();
  private final PortApi api;

  Ports(PortApi api) {
    this.api = api;
  }

  private static Map<String, Object> fixed() {
    Map<String, Object> fixed = new HashMap<>();
    fixed.put("description", null);
    fixed.put("binding:vnic_type", "normal");
    return fixed;
  }

  @Override public String singular() { return "port"; }
  @Override public String plural() { return "ports"; }
  @Override public String kind() { return "port"; }
  @Override public List<String> attributes() { return NeutronJson.PORT; }

  @Override
  public Future<List<JsonObject>> list(ListQuery query) {
    // Single-valued filters the service applies itself narrow the listing; ListQuery still checks all.
    ListPortsRequest.Builder r = ListPortsRequest.newBuilder().setPageSize(1000);
    String network = query.single("network_id");
    if (network != null && UUID_FORM.matcher(network).matches()) {
      r.setNetworkId(network);
    }
    if (query.single("device_id") != null) {
      r.setDeviceId(query.single("device_id"));
    }
    if (query.single("device_owner") != null) {
      r.setDeviceOwner(query.single("device_owner"));
    }
    return Collection.all(token -> api.listPorts(r.setPageToken(token).build())
        .map(page -> new Page(page.getPortsList().stream().map(NeutronJson::port).toList(), page.getNextPageToken())));
  }

  @Override
  public Future<JsonObject> show(String id) {
    return api.getPort(GetPortRequest.newBuilder().setId(id(id)).build()).map(NeutronJson::port);
  }

  @Override
  public Future<JsonObject> create(JsonObject json) {
    return api.createPort(request(json)).map(NeutronJson::port);
  }

  /**
   * Neutron's bulk create, {@code {"ports": [{...}, ...]}}: every port or none (dvr.v1
   * CreatePorts); an error names the index of the port it is about.
   */
  Future<JsonArray> createMany(JsonArray items) {
    CreatePortsRequest.Builder r = CreatePortsRequest.newBuilder();
    for (int i = 0; i < items.size(); i++) {
      if (!(items.getValue(i) instanceof JsonObject item)) {
        throw NeutronErrors.badRequest("ports[" + i + "] must be a JSON object");
      }
      try {
        r.addPorts(request(new JsonObject().put("port", item)));
      } catch (NeutronErrors.RestError e) {
        throw new NeutronErrors.RestError(e.http, e.type, "ports[" + i + "]: " + e.getMessage());
      }
    }
    return api.createPorts(r.build()).map(made -> new JsonArray(made.getPortsList().stream()
        .map(p -> (Object) NeutronJson.port(p)).toList()));
  }

  private static CreatePortRequest request(JsonObject json) {
    Body b = Body.of(json, "port", NeutronJson.PORT, Set.of("name", "network_id", "fixed_ips", "mac_address",
        "device_owner", "device_id", "binding:host_id", "admin_state_up", "project_id", "tenant_id"), FIXED);
    CreatePortRequest.Builder r = CreatePortRequest.newBuilder().setNetworkId(b.string("network_id"))
        .setName(b.string("name")).setMacAddress(b.string("mac_address")).setDeviceOwner(b.string("device_owner"))
        .setDeviceId(b.string("device_id")).setBindingHost(b.string("binding:host_id")).setProjectId(b.project());
    for (JsonObject ip : b.objects("fixed_ips")) {
      Object subnet = ip.getValue("subnet_id");
      Object address = ip.getValue("ip_address");
      if ((subnet != null && !(subnet instanceof String)) || (address != null && !(address instanceof String))) {
        throw Body.invalid("fixed_ips", ip.encode(), "needs subnet_id and ip_address as strings");
      }
      r.addFixedIps(FixedIpRequest.newBuilder().setSubnetId(subnet == null ? "" : (String) subnet)
          .setIpAddress(address == null ? "" : (String) address));
    }
    if (b.bool("admin_state_up") != null) {
      r.setAdminStateUp(b.bool("admin_state_up"));
    }
    return r.build();
  }

  @Override
  public boolean checksRevision() {
    return true;
  }

  @Override
  public Future<JsonObject> update(String id, JsonObject json, Long ifRevision) {
    Body b = Body.of(json, "port", NeutronJson.PORT, Set.of("name", "binding:host_id", "admin_state_up",
        "device_id"), FIXED);
    UpdatePortRequest.Builder r = UpdatePortRequest.newBuilder().setId(id(id));
    if (ifRevision != null) {
      r.setIfRevision(ifRevision);
    }
    if (b.has("name")) {
      r.setName(b.string("name"));
    }
    if (b.has("binding:host_id")) {
      r.setBindingHost(b.string("binding:host_id"));
    }
    if (b.has("device_id")) {
      r.setDeviceId(b.string("device_id"));
    }
    if (b.bool("admin_state_up") != null) {
      r.setAdminStateUp(b.bool("admin_state_up"));
    }
    return api.updatePort(r.build()).map(NeutronJson::port);
  }

  @Override
  public Future<Void> delete(String id) {
    return api.deletePort(DeletePortRequest.newBuilder().setId(id(id)).build()).mapEmpty();
  }
}

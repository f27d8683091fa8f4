package io.dvr.gateway.rest;

import io.dvr.gateway.api.SubnetApi;
import io.dvr.proto.v1.AllocationPool;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.DeleteSubnetRequest;
import io.dvr.proto.v1.GetSubnetRequest;
import io.dvr.proto.v1.ListSubnetsRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** /v2.0/subnets over dvr.v1.SubnetService (IPv4; no DHCP is served, so enable_dhcp is false). */
final class Subnets implements Collection {
  private static final Map<String, Object> FIXED = fixed();
  private final SubnetApi api;

  Subnets(SubnetApi api) {
    this.api = api;
  }

  private static Map<String, Object> fixed() {
    Map<String, Object> fixed = new HashMap<>();
    fixed.put("description", null);
    fixed.put("enable_dhcp", false);
    fixed.put("dns_nameservers", new JsonArray());
    fixed.put("host_routes", new JsonArray());
    return fixed;
  }

  @Override public String singular() { return "subnet"; }
  @Override public String plural() { return "subnets"; }
  @Override public String kind() { return "subnet"; }
  @Override public Set<String> operations() { return Set.of("list", "show", "create", "delete"); }
  @Override public List<String> attributes() { return NeutronJson.SUBNET; }

  @Override
  public Future<List<JsonObject>> list(ListQuery query) {
    ListSubnetsRequest.Builder r = ListSubnetsRequest.newBuilder().setPageSize(1000);
    String network = query.single("network_id");
    if (network != null && UUID_FORM.matcher(network).matches()) {
      r.setNetworkId(network);
    }
    return Collection.all(token -> api.listSubnets(r.setPageToken(token).build())
        .map(page -> new Page(page.getSubnetsList().stream().map(NeutronJson::subnet).toList(),
            page.getNextPageToken())));
  }

  @Override
  public Future<JsonObject> show(String id) {
    return api.getSubnet(GetSubnetRequest.newBuilder().setId(id(id)).build()).map(NeutronJson::subnet);
  }

  @Override
  public Future<JsonObject> create(JsonObject json) {
    Body b = Body.of(json, "subnet", NeutronJson.SUBNET, Set.of("name", "network_id", "cidr", "ip_version",
        "gateway_ip", "allocation_pools", "project_id", "tenant_id"), FIXED);
    CreateSubnetRequest.Builder r = CreateSubnetRequest.newBuilder().setNetworkId(b.string("network_id"))
        .setName(b.string("name")).setCidr(b.string("cidr")).setProjectId(b.project());
    if (b.integer("ip_version") != null) {
      r.setIpVersion(b.integer("ip_version"));
    }
    // Neutron: gateway_ip null is a subnet without a gateway; absent is the first host address.
    if (b.isNull("gateway_ip")) {
      r.setNoGateway(true);
    } else if (b.has("gateway_ip")) {
      r.setGatewayIp(b.string("gateway_ip"));
    }
    for (JsonObject pool : b.objects("allocation_pools")) {
      if (!(pool.getValue("start") instanceof String start) || !(pool.getValue("end") instanceof String end)) {
        throw Body.invalid("allocation_pools", pool.encode(), "needs a start and an end address");
      }
      r.addAllocationPools(AllocationPool.newBuilder().setStart(start).setEnd(end));
    }
    return api.createSubnet(r.build()).map(NeutronJson::subnet);
  }

  @Override
  public Future<Void> delete(String id) {
    return api.deleteSubnet(DeleteSubnetRequest.newBuilder().setId(id(id)).build()).mapEmpty();
  }
}

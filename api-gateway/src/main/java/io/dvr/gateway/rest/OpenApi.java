package io.dvr.gateway.rest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * The OpenAPI 3 document of the REST face ({@code GET /v2.0/openapi.json}), made from the
 * collections themselves: their paths, the operations they offer and the attributes they show,
 * typed by {@link #TYPES}. An attribute without a type there fails the face's tests.
 */
final class OpenApi {
  private static JsonObject type(String t) {
    return new JsonObject().put("type", t);
  }

  private static JsonObject nullable(String t) {
    return type(t).put("nullable", true);
  }

  private static JsonObject arrayOf(JsonObject items) {
    return type("array").put("items", items);
  }

  private static JsonObject object(Map<String, JsonObject> properties) {
    JsonObject props = new JsonObject();
    properties.forEach(props::put);
    return type("object").put("properties", props);
  }

  private static final JsonObject FIXED_IP = object(Map.of("subnet_id", type("string"), "ip_address", type("string")));

  /** Every attribute's JSON type; the same name means the same type in every resource. */
  static final Map<String, JsonObject> TYPES = Map.ofEntries(
      Map.entry("id", type("string").put("format", "uuid")), Map.entry("name", type("string")),
      Map.entry("description", type("string")), Map.entry("status", type("string")),
      Map.entry("project_id", type("string")), Map.entry("tenant_id", type("string")),
      Map.entry("admin_state_up", type("boolean")), Map.entry("shared", type("boolean")),
      Map.entry("router:external", type("boolean")), Map.entry("mtu", type("integer")),
      Map.entry("subnets", arrayOf(type("string"))), Map.entry("revision_number", type("integer")),
      Map.entry("created_at", type("string").put("format", "date-time")),
      Map.entry("updated_at", type("string").put("format", "date-time")),
      Map.entry("network_id", type("string")), Map.entry("ip_version", type("integer")),
      Map.entry("cidr", type("string")), Map.entry("gateway_ip", nullable("string")),
      Map.entry("allocation_pools", arrayOf(object(Map.of("start", type("string"), "end", type("string"))))),
      Map.entry("enable_dhcp", type("boolean")), Map.entry("dns_nameservers", arrayOf(type("string"))),
      Map.entry("host_routes", arrayOf(type("object"))), Map.entry("mac_address", type("string")),
      Map.entry("fixed_ips", arrayOf(FIXED_IP)), Map.entry("device_owner", type("string")),
      Map.entry("device_id", type("string")), Map.entry("binding:host_id", type("string")),
      Map.entry("binding:vif_type", type("string")), Map.entry("binding:vnic_type", type("string")),
      Map.entry("distributed", type("boolean")), Map.entry("ha", type("boolean")),
      Map.entry("external_gateway_info", object(Map.of("network_id", type("string"), "enable_snat", type("boolean"),
          "external_fixed_ips", arrayOf(FIXED_IP))).put("nullable", true)),
      Map.entry("routes", arrayOf(type("object"))), Map.entry("floating_network_id", type("string")),
      Map.entry("floating_ip_address", type("string")), Map.entry("port_id", nullable("string")),
      Map.entry("fixed_ip_address", nullable("string")), Map.entry("router_id", nullable("string")),
      Map.entry("agent_type", type("string")), Map.entry("binary", type("string")), Map.entry("host", type("string")),
      Map.entry("topic", type("string")), Map.entry("alive", type("boolean")),
      Map.entry("configurations", type("object")), Map.entry("heartbeat_timestamp", type("string")),
      Map.entry("started_at", type("string")));

  private OpenApi() {}

  static JsonObject document(List<Collection> collections) {
    JsonObject schemas = new JsonObject().put("NeutronError", object(Map.of("NeutronError",
        object(Map.of("type", type("string"), "message", type("string"), "detail", type("string"))))));
    JsonObject paths = new JsonObject();
    paths.put("/", new JsonObject().put("get", op("Show API versions (the version document)", null, "200")));
    paths.put("/v2.0", new JsonObject().put("get", op("List the resources of v2.0", null, "200")));
    paths.put("/v2.0/extensions", new JsonObject().put("get", op("List the extensions this API offers", null, "200")));
    for (Collection c : collections) {
      JsonObject properties = new JsonObject();
      for (String attribute : c.attributes()) {
        JsonObject t = TYPES.get(attribute);
        if (t == null) {
          throw new IllegalStateException("attribute " + attribute + " of " + c.plural() + " has no type");
        }
        properties.put(attribute, t.copy());
      }
      String schema = Character.toUpperCase(c.singular().charAt(0)) + c.singular().substring(1);
      schemas.put(schema, type("object").put("properties", properties));
      JsonObject one = wrapped(c.singular(), schema, false);
      JsonObject many = wrapped(c.plural(), schema, true);
      JsonObject collection = new JsonObject();
      JsonObject item = new JsonObject();
      if (c.operations().contains("list")) {
        collection.put("get", op("List " + c.plural() + ": filters on any attribute, fields, sort_key, sort_dir,"
            + " limit, marker, page_reverse", many, "200").put("parameters", listParameters()));
      }
      if (c.operations().contains("create")) {
        collection.put("post", op("Create a " + c.kind(), one, "201").put("requestBody", body(one)));
      }
      if (c.operations().contains("show")) {
        item.put("get", op("Show a " + c.kind(), one, "200"));
      }
      if (c.operations().contains("update")) {
        item.put("put", op("Update a " + c.kind() + " (If-Match: revision_number=N)", one, "200")
            .put("requestBody", body(one)));
      }
      if (c.operations().contains("delete")) {
        item.put("delete", op("Delete a " + c.kind(), null, "204"));
      }
      item.put("parameters", new JsonArray().add(new JsonObject().put("name", "id").put("in", "path")
          .put("required", true).put("schema", type("string"))));
      paths.put("/v2.0/" + c.plural(), collection);
      paths.put("/v2.0/" + c.plural() + "/{id}", item);
    }
    JsonObject interfaceBody = object(Map.of("subnet_id", type("string"), "port_id", type("string")));
    paths.put("/v2.0/routers/{id}/add_router_interface", new JsonObject().put("put",
        op("Add an interface to a router, by subnet_id (its gateway_ip) or port_id (the port's fixed IP)", interfaceBody, "200").put("requestBody", body(interfaceBody))));
    paths.put("/v2.0/routers/{id}/remove_router_interface", new JsonObject().put("put",
        op("Remove an interface from a router, by subnet_id or port_id", interfaceBody, "200")
            .put("requestBody", body(interfaceBody))));
    paths.put("/v2.0/routers/{id}/l3-agents", new JsonObject().put("get",
        op("List the L3 agents hosting a router", wrapped("agents", "Agent", true), "200")));
    JsonObject routerIdBody = object(Map.of("router_id", type("string")));
    paths.put("/v2.0/agents/{id}/l3-routers", new JsonObject().put("get",
        op("List the routers an L3 agent hosts", wrapped("routers", "Router", true), "200"))
        .put("post", op("Place a router's SNAT on a dvr_snat L3 agent's host (l3-agent-router-add; admin)",
            null, "201").put("requestBody", body(routerIdBody))));
    paths.put("/v2.0/agents/{id}/l3-routers/{router_id}", new JsonObject().put("delete",
        op("Move a router's SNAT off an L3 agent's host (l3-agent-router-remove; admin; an HA router's active"
            + " SNAT is drained first)", null, "204")));
    return new JsonObject().put("openapi", "3.0.3")
        .put("info", new JsonObject().put("title", "dvr: Neutron Networking v2.0 REST face").put("version", "2.0"))
        .put("paths", paths)
        .put("components", new JsonObject().put("schemas", schemas).put("securitySchemes", new JsonObject()
            .put("token", new JsonObject().put("type", "apiKey").put("in", "header").put("name", "X-Auth-Token"))))
        .put("security", new JsonArray().add(new JsonObject().put("token", new JsonArray())));
  }

  private static JsonObject wrapped(String key, String schema, boolean list) {
    JsonObject ref = new JsonObject().put("$ref", "#/components/schemas/" + schema);
    return object(Map.of(key, list ? arrayOf(ref) : ref));
  }

  private static JsonObject body(JsonObject schema) {
    return new JsonObject().put("required", true).put("content", new JsonObject().put("application/json",
        new JsonObject().put("schema", schema)));
  }

  private static JsonObject op(String summary, JsonObject schema, String status) {
    JsonObject ok = new JsonObject().put("description", summary);
    if (schema != null) {
      ok.put("content", new JsonObject().put("application/json", new JsonObject().put("schema", schema)));
    }
    JsonObject error = new JsonObject().put("description", "NeutronError (400, 401, 403, 404, 409, 412, 413, 503)")
        .put("content", new JsonObject().put("application/json", new JsonObject().put("schema",
            new JsonObject().put("$ref", "#/components/schemas/NeutronError"))));
    return new JsonObject().put("summary", summary).put("responses", new JsonObject().put(status, ok)
        .put("default", error));
  }

  private static JsonArray listParameters() {
    JsonArray out = new JsonArray();
    for (String p : List.of("fields", "sort_key", "sort_dir", "limit", "marker", "page_reverse")) {
      out.add(new JsonObject().put("name", p).put("in", "query").put("required", false)
          .put("schema", type(p.equals("limit") ? "integer" : "string")));
    }
    return out;
  }
}

package io.dvr.gateway.rest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What a client reads before it calls: the version document ({@code /}), the resources of v2.0
 * ({@code /v2.0}) and the extensions ({@code /v2.0/extensions}), listing only what this face does.
 */
final class Discovery {
  record Extension(String alias, String name, String description) {}

  static final List<Extension> EXTENSIONS = List.of(
      new Extension("external-net", "Neutron external network", "Adds external network attribute to network resource."),
      new Extension("router", "Neutron L3 Router", "Router abstraction for basic L3 forwarding between L2 Neutron"
          + " networks and access to external networks via a NAT gateway."),
      new Extension("dvr", "Distributed Virtual Router", "Enables configuration of Distributed Virtual Routers."),
      new Extension("agent", "agent", "The agent management extension."),
      new Extension("l3_agent_scheduler", "L3 Agent Scheduler", "Schedule routers among l3 agents"),
      new Extension("binding", "Port Binding", "Expose port bindings of a virtual port to external application"),
      new Extension("project-id", "project_id field enabled", "Extension that indicates that project_id field is"
          + " enabled."),
      new Extension("standard-attr-revisions", "Resource revision numbers", "This extension will display the revision"
          + " number of neutron resources."),
      new Extension("revision-if-match", "If-Match constraints based on revision_number", "Extension indicating that"
          + " If-Match based on revision_number is supported."),
      new Extension("standard-attr-timestamp", "Resource timestamps", "Adds created_at and updated_at fields to all"
          + " Neutron resources that have Neutron standard attributes."),
      new Extension("pagination", "Pagination support", "Extension that indicates that pagination is enabled."),
      new Extension("sorting", "Sorting support", "Extension that indicates that sorting is enabled."),
      new Extension("filter-validation", "Filter parameters validation", "Provides validation on filter"
          + " parameters."));

  private Discovery() {}

  static JsonObject versions(String base) {
    return new JsonObject().put("versions", new JsonArray().add(new JsonObject().put("id", "v2.0")
        .put("status", "CURRENT").put("links", new JsonArray().add(new JsonObject().put("href", base + "/v2.0/")
            .put("rel", "self")))));
  }

  static JsonObject resources(String base, List<Collection> collections) {
    JsonArray out = new JsonArray();
    collections.forEach(c -> out.add(new JsonObject().put("name", c.singular()).put("collection", c.plural())
        .put("links", new JsonArray().add(new JsonObject().put("href", base + "/v2.0/" + c.plural())
            .put("rel", "self")))));
    return new JsonObject().put("resources", out);
  }

  static JsonObject extension(Extension e) {
    return new JsonObject().put("alias", e.alias()).put("name", e.name()).put("description", e.description())
        .put("updated", "2013-01-01T10:00:00-00:00").put("links", new JsonArray());
  }

  static JsonObject extensions() {
    JsonArray out = new JsonArray();
    EXTENSIONS.forEach(e -> out.add(extension(e)));
    return new JsonObject().put("extensions", out);
  }
}

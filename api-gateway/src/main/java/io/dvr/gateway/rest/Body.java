package io.dvr.gateway.rest;

import static io.dvr.gateway.rest.NeutronErrors.badRequest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One resource of a request body ({@code {"network": {...}}}) read as Neutron reads it: an
 * attribute the resource does not have is refused ("Unrecognized attribute(s)"), one it has but
 * that may not be written is refused as read-only, and attributes the system keeps in one fixed
 * value (a description, {@code shared}) are accepted only with that value.
 */
final class Body {
  private final String resource;
  private final JsonObject attrs;

  private Body(String resource, JsonObject attrs) {
    this.resource = resource;
    this.attrs = attrs;
  }

  /**
   * The body's {@code resource} object; {@code writable} are the attributes the call takes,
   * {@code fixed} the ones accepted only with the value the system always has.
   */
  static Body of(JsonObject body, String resource, List<String> attributes, Set<String> writable,
      Map<String, Object> fixed) {
    if (body == null) {
      throw badRequest("the request body must be a JSON object {\"" + resource + "\": {...}}");
    }
    if (!(body.getValue(resource) instanceof JsonObject attrs)) {
      if (body.getValue(resource + "s") instanceof JsonArray) {
        throw badRequest("bulk requests ({\"" + resource + "s\": [...]}) are not supported: send one " + resource
            + " per request");
      }
      throw badRequest("the request body must be a JSON object {\"" + resource + "\": {...}}");
    }
    Set<String> unknown = new TreeSet<>();
    for (String key : attrs.fieldNames()) {
      if (!writable.contains(key) && !fixed.containsKey(key) && !attributes.contains(key)) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      throw badRequest("Unrecognized attribute(s) '" + String.join(", ", unknown) + "'");
    }
    for (String key : attrs.fieldNames()) {
      if (fixed.containsKey(key)) {
        Object value = attrs.getValue(key);
        Object want = fixed.get(key);
        boolean same = want == null ? value == null || "".equals(value) : want.equals(value)
            || (want instanceof JsonArray a && a.isEmpty() && value instanceof JsonArray v && v.isEmpty());
        if (!same) {
          throw badRequest("Invalid input for " + key + ". Reason: this system keeps " + key + " "
              + (want == null ? "empty" : "at " + want) + " and cannot store '" + value + "'.");
        }
      } else if (!writable.contains(key)) {
        throw badRequest("Cannot update read-only attribute " + key);
      }
    }
    return new Body(resource, attrs);
  }

  boolean has(String key) {
    return attrs.containsKey(key);
  }

  boolean isNull(String key) {
    return attrs.containsKey(key) && attrs.getValue(key) == null;
  }

  /** A string attribute, or "" when absent or null. */
  String string(String key) {
    Object v = attrs.getValue(key);
    if (v == null) {
      return "";
    }
    if (!(v instanceof String s)) {
      throw invalid(key, v, "is not a string");
    }
    return s;
  }

  /** A boolean, also given as "true"/"false" (Neutron converts them). */
  Boolean bool(String key) {
    Object v = attrs.getValue(key);
    if (v == null) {
      return null;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s);
    }
    throw invalid(key, v, "is not a valid boolean value");
  }

  Integer integer(String key) {
    Object v = attrs.getValue(key);
    if (v == null) {
      return null;
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.intValue();
    }
    if (v instanceof String s && s.matches("-?[0-9]{1,9}")) {
      return Integer.parseInt(s);
    }
    throw invalid(key, v, "is not an integer");
  }

  /** A list of objects ({@code fixed_ips}, {@code allocation_pools}); empty when absent. */
  List<JsonObject> objects(String key) {
    Object v = attrs.getValue(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonArray array)) {
      throw invalid(key, v, "is not a list");
    }
    List<JsonObject> out = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof JsonObject o)) {
        throw invalid(key, v, "must be a list of objects");
      }
      out.add(o);
    }
    return out;
  }

  JsonObject object(String key) {
    Object v = attrs.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      throw invalid(key, v, "is not an object");
    }
    return o;
  }

  /** project_id, or tenant_id (older clients); both given must agree. */
  String project() {
    String project = string("project_id");
    String tenant = string("tenant_id");
    if (!project.isEmpty() && !tenant.isEmpty() && !project.equals(tenant)) {
      throw badRequest("project_id '" + project + "' and tenant_id '" + tenant + "' differ: give one of them");
    }
    return project.isEmpty() ? tenant : project;
  }

  static NeutronErrors.RestError invalid(String key, Object value, String reason) {
    return badRequest("Invalid input for " + key + ". Reason: '" + value + "' " + reason + ".");
  }

  @Override
  public String toString() {
    return resource + " " + attrs.encode();
  }
}

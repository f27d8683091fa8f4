package io.dvr.gateway.rest;

import static io.dvr.gateway.rest.NeutronErrors.badRequest;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Neutron list request: filters on attributes ({@code ?name=a&name=b} is any of), {@code fields=},
 * {@code sort_key}/{@code sort_dir}, {@code limit}/{@code marker}/{@code page_reverse}, and
 * filter validation (an attribute the resource does not have is refused with 400). Applied to the
 * items the caller may see, in the order the service lists them unless sorted; paging without a
 * sort key sorts by id, as Neutron does.
 */
final class ListQuery {
  private static final Set<String> CONTROL = Set.of("fields", "sort_key", "sort_dir", "limit", "marker",
      "page_reverse");

  private final Map<String, List<String>> filters;
  private final List<String> fields;
  private final List<String> sortKeys;
  private final List<Boolean> ascending;
  private final Integer limit;
  private final String marker;
  private final boolean reverse;

  private ListQuery(Map<String, List<String>> filters, List<String> fields, List<String> sortKeys,
      List<Boolean> ascending, Integer limit, String marker, boolean reverse) {
    this.filters = filters;
    this.fields = fields;
    this.sortKeys = sortKeys;
    this.ascending = ascending;
    this.limit = limit;
    this.marker = marker;
    this.reverse = reverse;
  }

  static ListQuery parse(MultiMap params, List<String> attributes) {
    Map<String, List<String>> filters = new LinkedHashMap<>();
    for (String name : params.names()) {
      if (CONTROL.contains(name)) {
        continue;
      }
      if (!attributes.contains(name)) {
        throw badRequest("[" + name + "] is invalid attribute for filtering");
      }
      filters.put(name, params.getAll(name));
    }
    List<String> fields = new ArrayList<>();
    params.getAll("fields").forEach(f -> fields.addAll(List.of(f.split(","))));
    List<String> keys = params.getAll("sort_key");
    List<String> dirs = params.getAll("sort_dir");
    for (String key : keys) {
      if (!attributes.contains(key)) {
        throw badRequest("sort_key '" + key + "': not an attribute of this resource");
      }
    }
    if (!dirs.isEmpty() && dirs.size() != keys.size()) {
      throw badRequest("The number of sort_keys and sort_dirs must be same");
    }
    List<Boolean> ascending = new ArrayList<>();
    for (String dir : dirs) {
      if (!dir.equals("asc") && !dir.equals("desc")) {
        throw badRequest("sort_dir '" + dir + "': must be asc or desc");
      }
      ascending.add(dir.equals("asc"));
    }
    while (ascending.size() < keys.size()) {
      ascending.add(true);
    }
    Integer limit = null;
    String rawLimit = params.get("limit");
    if (rawLimit != null && !rawLimit.isEmpty()) {
      try {
        limit = Integer.parseInt(rawLimit);
      } catch (NumberFormatException e) {
        throw badRequest("limit '" + rawLimit + "': not an integer");
      }
      if (limit < 0) {
        throw badRequest("limit '" + rawLimit + "': must be 0 or more (0: no limit)");
      }
      limit = limit == 0 ? null : limit;
    }
    String marker = params.get("marker");
    boolean reverse = "true".equalsIgnoreCase(params.get("page_reverse"));
    return new ListQuery(filters, List.copyOf(fields), List.copyOf(keys), List.copyOf(ascending), limit,
        marker == null || marker.isEmpty() ? null : marker, reverse);
  }

  /** A filter of exactly one value on {@code attribute}, which a service can apply before listing. */
  String single(String attribute) {
    List<String> values = filters.get(attribute);
    return values != null && values.size() == 1 ? values.get(0) : null;
  }

  /** Fields to show of a single resource (GET /v2.0/networks/{id}?fields=...). */
  JsonObject shown(JsonObject item) {
    if (fields.isEmpty()) {
      return item;
    }
    JsonObject out = new JsonObject();
    fields.forEach(f -> {
      if (item.containsKey(f)) {
        out.put(f, item.getValue(f));
      }
    });
    return out;
  }

  /** The response of a list: {@code {"<plural>": [...], "<plural>_links": [...]}}. */
  JsonObject apply(List<JsonObject> items, String plural, String selfUrl, MultiMap params) {
    List<JsonObject> matching = new ArrayList<>(items.stream().filter(this::matches).toList());
    List<String> keys = sortKeys.isEmpty() && (limit != null || marker != null) ? List.of("id") : sortKeys;
    List<Boolean> asc = sortKeys.isEmpty() ? List.of(true) : ascending;
    if (!keys.isEmpty()) {
      matching.sort(comparator(keys, asc));
    }
    if (reverse) {
      java.util.Collections.reverse(matching);
    }
    int from = 0;
    if (marker != null) {
      int at = indexOf(matching, marker);
      if (at < 0) {
        throw new NeutronErrors.RestError(404, "NotFound", "marker '" + marker + "' could not be found");
      }
      from = at + 1;
    }
    int to = limit == null ? matching.size() : Math.min(matching.size(), from + limit);
    List<JsonObject> page = new ArrayList<>(matching.subList(from, to));
    JsonArray links = new JsonArray();
    if (limit != null && to < matching.size() && !page.isEmpty()) {
      links.add(link(reverse ? "previous" : "next", selfUrl, params, page.get(page.size() - 1).getString("id"),
          reverse));
    }
    if (marker != null && !page.isEmpty()) {
      links.add(link(reverse ? "next" : "previous", selfUrl, params, page.get(0).getString("id"), !reverse));
    }
    if (reverse) {
      java.util.Collections.reverse(page);
    }
    JsonArray shown = new JsonArray();
    page.forEach(item -> shown.add(shown(item)));
    JsonObject body = new JsonObject().put(plural, shown);
    if (!links.isEmpty()) {
      body.put(plural + "_links", links);
    }
    return body;
  }

  private boolean matches(JsonObject item) {
    for (Map.Entry<String, List<String>> filter : filters.entrySet()) {
      Object value = item.getValue(filter.getKey());
      if (filter.getValue().stream().noneMatch(wanted -> matches(value, wanted))) {
        return false;
      }
    }
    return true;
  }

  /**
   * A value against one filter value: strings exactly, booleans and numbers by their text, a
   * list if any element matches ({@code fixed_ips=ip_address=10.0.0.5} matches an element's key).
   */
  private static boolean matches(Object value, String wanted) {
    if (value == null) {
      return wanted.isEmpty() || wanted.equalsIgnoreCase("none") || wanted.equalsIgnoreCase("null");
    }
    if (value instanceof Boolean b) {
      return b.toString().equalsIgnoreCase(wanted);
    }
    if (value instanceof JsonArray array) {
      int eq = wanted.indexOf('=');
      for (Object element : array) {
        if (element instanceof JsonObject o && eq > 0) {
          if (wanted.substring(eq + 1).equals(String.valueOf(o.getValue(wanted.substring(0, eq))))) {
            return true;
          }
        } else if (String.valueOf(element).equals(wanted)) {
          return true;
        }
      }
      return false;
    }
    return String.valueOf(value).equals(wanted);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Comparator<JsonObject> comparator(List<String> keys, List<Boolean> ascending) {
    Comparator<JsonObject> order = (a, b) -> 0;
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      Comparator<JsonObject> one = Comparator.comparing(o -> {
        Object v = o.getValue(key);
        return v instanceof Comparable c && !(v instanceof JsonObject) ? c : (Comparable) String.valueOf(v);
      }, Comparator.nullsFirst(Comparator.naturalOrder()));
      order = order.thenComparing(ascending.get(i) ? one : one.reversed());
    }
    return order.thenComparing(o -> o.getString("id", ""));
  }

  private static int indexOf(List<JsonObject> items, String id) {
    for (int i = 0; i < items.size(); i++) {
      if (id.equals(items.get(i).getString("id"))) {
        return i;
      }
    }
    return -1;
  }

  private static JsonObject link(String rel, String selfUrl, MultiMap params, String marker, boolean reverse) {
    StringBuilder query = new StringBuilder();
    for (Map.Entry<String, String> e : params.entries()) {
      if (e.getKey().equals("marker") || e.getKey().equals("page_reverse")) {
        continue;
      }
      append(query, e.getKey(), e.getValue());
    }
    append(query, "marker", marker);
    if (reverse) {
      append(query, "page_reverse", "True");
    }
    return new JsonObject().put("rel", rel).put("href", selfUrl + "?" + query);
  }

  private static void append(StringBuilder query, String key, String value) {
    if (query.length() > 0) {
      query.append('&');
    }
    query.append(URLEncoder.encode(key, StandardCharsets.UTF_8)).append('=')
        .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
  }
}

package io.dvr.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The OpenStack client's output formats of what the tables show ({@code -f table|json|value|yaml})
 * and its column choice ({@code -c COLUMN}, repeatable): the same fields and columns, named as
 * the tables name them (Neutron's names: {@code router:external}, {@code binding:host_id}).
 * {@code json} and {@code yaml} give a show as one object and a list as a list of objects;
 * {@code value} gives the values alone, a show's one per line, a list's row by row separated by
 * spaces.
 */
enum OutputFormat {
  TABLE, JSON, VALUE, YAML;

  static OutputFormat parse(String text) {
    for (OutputFormat f : values()) {
      if (f.name().equalsIgnoreCase(text)) {
        return f;
      }
    }
    throw new CliError(null, "-f '" + text + "': must be one of table, json, value, yaml", CliError.USAGE);
  }

  /** A show's fields (sorted by name), restricted to {@code columns} when any are given. */
  String show(Map<String, String> fields, List<String> columns) {
    Map<String, String> chosen = new LinkedHashMap<>();
    if (columns.isEmpty()) {
      chosen.putAll(new TreeMap<>(fields));
    } else {
      check(columns, fields.keySet());
      columns.forEach(c -> {
        if (fields.containsKey(c)) {
          chosen.put(c, fields.get(c));
        }
      });
    }
    return switch (this) {
      case TABLE -> Table.fields(chosen).render();
      case VALUE -> chosen.values().stream().map(v -> v + "\n").reduce("", String::concat);
      case JSON -> object(chosen).encodePrettily() + "\n";
      case YAML -> yaml(chosen, "");
    };
  }

  /** A list's rows, restricted to {@code columns} when any are given. */
  String list(Table table, List<String> columns) {
    List<String> headers = table.headers();
    List<Integer> keep = new ArrayList<>();
    if (columns.isEmpty()) {
      for (int i = 0; i < headers.size(); i++) {
        keep.add(i);
      }
    } else {
      check(columns, headers);
      columns.forEach(c -> {
        if (headers.contains(c)) {
          keep.add(headers.indexOf(c));
        }
      });
    }
    List<Map<String, String>> rows = new ArrayList<>();
    for (List<String> row : table.rows()) {
      Map<String, String> r = new LinkedHashMap<>();
      keep.forEach(i -> r.put(headers.get(i), row.get(i)));
      rows.add(r);
    }
    return switch (this) {
      case TABLE -> {
        Table chosen = new Table(keep.stream().map(headers::get).toArray(String[]::new));
        rows.forEach(r -> chosen.row(r.values().toArray()));
        yield chosen.isEmpty() ? "" : chosen.render();
      }
      case VALUE -> rows.stream().map(r -> String.join(" ", r.values()) + "\n").reduce("", String::concat);
      case JSON -> {
        JsonArray array = new JsonArray();
        rows.forEach(r -> array.add(object(r)));
        yield array.encodePrettily() + "\n";
      }
      case YAML -> rows.isEmpty() ? "[]\n" : rows.stream().map(r -> "- " + yaml(r, "  ").substring(2))
          .reduce("", String::concat);
    };
  }

  /** As the OpenStack client: at least one asked column must exist. */
  private static void check(List<String> columns, java.util.Collection<String> known) {
    if (columns.stream().noneMatch(known::contains)) {
      throw new CliError(null, "No recognized column names in " + columns + ". Recognized columns are "
          + known + ".", CliError.USAGE);
    }
  }

  private static JsonObject object(Map<String, String> fields) {
    JsonObject o = new JsonObject();
    fields.forEach(o::put);
    return o;
  }

  /** One mapping; each value a double-quoted scalar (a JSON string is valid YAML). */
  private static String yaml(Map<String, String> fields, String indent) {
    StringBuilder out = new StringBuilder();
    fields.forEach((k, v) -> out.append(indent).append(k).append(": ")
        .append(io.vertx.core.json.Json.encode(v)).append('\n'));
    return out.toString();
  }
}

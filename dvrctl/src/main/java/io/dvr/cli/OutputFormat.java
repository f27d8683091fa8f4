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
 * the tables name them (Neutron's names: {@code router:external}, {@code binding:host_id}, also
 * for lists, where the OpenStack client would use its headers such as {@code Fixed IP Addresses}).
 * {@code json} and {@code yaml} give a show as one object and a list as a list of objects, with
 * the typed values of {@link TypedFields}; {@code value} gives the values alone, a show's one per
 * line, a list's row by row separated by spaces.
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

  /**
   * A show's fields (sorted by name), restricted to {@code columns} when any are given; {@code typed}
   * holds the values json, yaml and value print where they differ from the table's text.
   */
  String show(Map<String, String> fields, JsonObject typed, List<String> columns) {
    List<String> chosen = new ArrayList<>();
    if (columns.isEmpty()) {
      chosen.addAll(new TreeMap<>(fields).keySet());
    } else {
      check(columns, fields.keySet());
      columns.stream().filter(fields::containsKey).forEach(chosen::add);
    }
    if (this == TABLE) {
      Map<String, String> text = new LinkedHashMap<>();
      chosen.forEach(c -> text.put(c, fields.get(c)));
      return Table.fields(text).render();
    }
    JsonObject data = new JsonObject();
    chosen.forEach(c -> data.put(c, typed.containsKey(c) ? typed.getValue(c) : fields.get(c)));
    return switch (this) {
      case VALUE -> data.stream().map(e -> value(e.getValue()) + "\n").reduce("", String::concat);
      case JSON -> data.encodePrettily() + "\n";
      default -> data.isEmpty() ? "{}\n" : Yaml.block(data, 0);
    };
  }

  /**
   * A list's rows, restricted to {@code columns} when any are given; {@code typed} holds one
   * object per row (or none, then every value is the table's text).
   */
  String list(Table table, List<JsonObject> typed, List<String> columns) {
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
    if (this == TABLE) {
      Table chosen = new Table(keep.stream().map(headers::get).toArray(String[]::new));
      table.rows().forEach(row -> chosen.row(keep.stream().map(row::get).toArray()));
      return chosen.isEmpty() ? "" : chosen.render();
    }
    boolean typedRows = typed.size() == table.size();
    JsonArray rows = new JsonArray();
    for (int r = 0; r < table.size(); r++) {
      List<String> row = table.rows().get(r);
      JsonObject types = typedRows ? typed.get(r) : new JsonObject();
      JsonObject data = new JsonObject();
      keep.forEach(i -> {
        String key = headers.get(i);
        data.put(key, types.containsKey(key) ? types.getValue(key) : row.get(i));
      });
      rows.add(data);
    }
    return switch (this) {
      case VALUE -> rows.stream().map(o -> ((JsonObject) o).stream().map(e -> value(e.getValue()))
          .collect(java.util.stream.Collectors.joining(" ")) + "\n").reduce("", String::concat);
      case JSON -> rows.encodePrettily() + "\n";
      default -> rows.isEmpty() ? "[]\n" : Yaml.block(rows, 0);
    };
  }

  /**
   * One value as the OpenStack client's value format prints it (Python's text of it: True,
   * False, None), a list or an object as compact JSON so that a script can parse it.
   */
  static String value(Object v) {
    if (v == null) {
      return "None";
    }
    if (v instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (v instanceof JsonObject || v instanceof JsonArray) {
      return io.vertx.core.json.Json.encode(v);
    }
    return v.toString();
  }

  /** As the OpenStack client: at least one asked column must exist. */
  private static void check(List<String> columns, java.util.Collection<String> known) {
    if (columns.stream().noneMatch(known::contains)) {
      throw new CliError(null, "No recognized column names in " + columns + ". Recognized columns are "
          + known + ".", CliError.USAGE);
    }
  }
}

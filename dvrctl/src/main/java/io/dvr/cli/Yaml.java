package io.dvr.cli;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Block-style YAML of typed values, laid out as the OpenStack client's (PyYAML's safe_dump):
 * a sequence inside a mapping at the mapping's indentation. Strings are double-quoted (JSON's
 * escaping is valid YAML), so an id or an address never reads as a number or a boolean.
 */
final class Yaml {

  private Yaml() {}

  /** A non-empty object or array as lines at {@code indent}. */
  static String block(Object container, int indent) {
    StringBuilder out = new StringBuilder();
    String pad = " ".repeat(indent);
    if (container instanceof JsonObject object) {
      for (Map.Entry<String, Object> e : object) {
        Object v = e.getValue();
        out.append(pad).append(e.getKey()).append(':');
        if (scalar(v)) {
          out.append(' ').append(text(v)).append('\n');
        } else {
          out.append('\n').append(block(v, v instanceof JsonObject ? indent + 2 : indent));
        }
      }
    } else {
      for (Object v : (JsonArray) container) {
        if (scalar(v)) {
          out.append(pad).append("- ").append(text(v)).append('\n');
        } else {
          out.append(pad).append("- ").append(block(v, indent + 2).substring(indent + 2));
        }
      }
    }
    return out.toString();
  }

  /** Scalars and empty containers print on their key's line. */
  private static boolean scalar(Object v) {
    return !(v instanceof JsonObject o && !o.isEmpty()) && !(v instanceof JsonArray a && !a.isEmpty());
  }

  private static String text(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof JsonObject) {
      return "{}";
    }
    if (v instanceof JsonArray) {
      return "[]";
    }
    if (v instanceof String s) {
      return Json.encode(s);
    }
    return v.toString();
  }
}

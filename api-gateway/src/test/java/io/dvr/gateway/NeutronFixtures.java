package io.dvr.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the JSON fixtures of {@code src/test/resources/neutron/}: each holds one request (method,
 * path, body, headers) and the response the Networking v2.0 API reference gives for it (status
 * and body), compared field by field: the same keys, no more, no fewer, and each value equal.
 * Values the server chooses are written as {@code "<kind>"} (uuid, timestamp, agent-time, mac,
 * ipv4, string, int, bool, any) or {@code "<kind:name>"}, which also keeps the value for later
 * fixtures as {@code ${name}}.
 */
public final class NeutronFixtures {
  private static final Pattern PLACEHOLDER = Pattern.compile("<(uuid|timestamp|agent-time|mac|ipv4|string|int|bool"
      + "|any)(?::([a-z0-9_]+))?>");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([a-z0-9_]+)}");
  private static final Map<String, Pattern> FORMS = Map.of(
      "uuid", Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
      "timestamp", Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z"),
      "agent-time", Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}"),
      "mac", Pattern.compile("([0-9a-f]{2}:){5}[0-9a-f]{2}"),
      "ipv4", Pattern.compile("(\\d{1,3}\\.){3}\\d{1,3}"));

  private final RestClient client;
  private final Map<String, Object> vars = new HashMap<>();

  public NeutronFixtures(RestClient client, Map<String, Object> known) {
    this.client = client;
    vars.putAll(known);
  }

  public Object var(String name) {
    return vars.get(name);
  }

  /** Sends the fixture's request and checks the response against it; returns the response. */
  public RestClient.Response run(String fixture) {
    return run(client, fixture);
  }

  public RestClient.Response run(RestClient as, String fixture) {
    JsonObject f = load(fixture);
    JsonObject request = f.getJsonObject("request");
    JsonObject expected = f.getJsonObject("response");
    String path = substitute(request.getString("path"));
    Object body = request.getValue("body");
    Map<String, String> headers = new HashMap<>();
    if (request.getJsonObject("headers") != null) {
      request.getJsonObject("headers").forEach(h -> headers.put(h.getKey(), substitute((String) h.getValue())));
    }
    RestClient.Response response = as.send(request.getString("method"), path,
        body == null ? null : (JsonObject) substituteAll(body), headers);
    String where = fixture + " (" + request.getString("method") + " " + path + ")";
    if (response.status() != expected.getInteger("status")) {
      throw new AssertionError(where + ": status " + response.status() + ", expected " + expected.getInteger("status")
          + "; body " + response.text());
    }
    if (expected.containsKey("body")) {
      match(where, "", expected.getValue("body"), response.body());
    } else if (response.text() != null && !response.text().isEmpty()) {
      throw new AssertionError(where + ": expected no body, got " + response.text());
    }
    return response;
  }

  private void match(String where, String path, Object expected, Object actual) {
    if (expected instanceof JsonObject e) {
      if (!(actual instanceof JsonObject a)) {
        throw new AssertionError(where + ": " + path + " should be an object, is " + actual);
      }
      Set<String> missing = new TreeSet<>(e.fieldNames());
      missing.removeAll(a.fieldNames());
      Set<String> extra = new TreeSet<>(a.fieldNames());
      extra.removeAll(e.fieldNames());
      if (!missing.isEmpty() || !extra.isEmpty()) {
        throw new AssertionError(where + ": " + (path.isEmpty() ? "body" : path) + " lacks " + missing + " and has"
            + " unexpected " + extra + ": " + a.encode());
      }
      e.forEach(entry -> match(where, path.isEmpty() ? entry.getKey() : path + "." + entry.getKey(), entry.getValue(),
          a.getValue(entry.getKey())));
      return;
    }
    if (expected instanceof JsonArray e) {
      if (!(actual instanceof JsonArray a) || a.size() != e.size()) {
        throw new AssertionError(where + ": " + path + " should be a list of " + e.size() + ", is " + actual);
      }
      for (int i = 0; i < e.size(); i++) {
        match(where, path + "[" + i + "]", e.getValue(i), a.getValue(i));
      }
      return;
    }
    if (expected instanceof String s) {
      Matcher p = PLACEHOLDER.matcher(s);
      if (p.matches()) {
        checkKind(where, path, p.group(1), actual);
        if (p.group(2) != null) {
          vars.put(p.group(2), actual);
        }
        return;
      }
      expected = substituteAll(s);
    }
    if (expected instanceof Number n && actual instanceof Number m ? n.longValue() != m.longValue()
        : !java.util.Objects.equals(expected, actual)) {
      throw new AssertionError(where + ": " + path + " is " + actual + ", expected " + expected);
    }
  }

  private static void checkKind(String where, String path, String kind, Object actual) {
    boolean ok = switch (kind) {
      case "any" -> true;
      case "string" -> actual instanceof String;
      case "int" -> actual instanceof Number;
      case "bool" -> actual instanceof Boolean;
      default -> actual instanceof String s && FORMS.get(kind).matcher(s).matches();
    };
    if (!ok) {
      throw new AssertionError(where + ": " + path + " is " + actual + ", expected a " + kind);
    }
  }

  private Object substituteAll(Object value) {
    if (value instanceof JsonObject o) {
      JsonObject out = new JsonObject();
      o.forEach(e -> out.put(e.getKey(), substituteAll(e.getValue())));
      return out;
    }
    if (value instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      a.forEach(v -> out.add(substituteAll(v)));
      return out;
    }
    if (value instanceof String s) {
      Matcher whole = VARIABLE.matcher(s);
      if (whole.matches()) {
        return known(whole.group(1));
      }
      return substitute(s);
    }
    return value;
  }

  private String substitute(String s) {
    Matcher m = VARIABLE.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf(known(m.group(1)))));
    }
    m.appendTail(out);
    return out.toString();
  }

  private Object known(String name) {
    if (!vars.containsKey(name)) {
      throw new AssertionError("${" + name + "} is used before a fixture captured it");
    }
    return vars.get(name);
  }

  static JsonObject load(String fixture) {
    try (InputStream in = NeutronFixtures.class.getResourceAsStream("/neutron/" + fixture + ".json")) {
      if (in == null) {
        throw new AssertionError("no fixture neutron/" + fixture + ".json");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

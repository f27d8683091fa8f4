package io.dvr.common.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Configuration of a service. A key {@code grpc.port} is looked up, in order, in the explicit
 * overrides, the system property {@code dvr.grpc.port} and the environment variable
 * {@code DVR_GRPC_PORT}; otherwise the default applies. No host or port is hard-coded elsewhere.
 */
public final class Settings {
  private final Map<String, String> overrides;
  private final Function<String, String> env;

  private Settings(Map<String, String> overrides, Function<String, String> env) {
    this.overrides = Map.copyOf(overrides);
    this.env = env;
  }

  public static Settings fromEnvironment() {
    return new Settings(Map.of(), System::getenv);
  }

  /** Settings from the given values only (tests, the all-in-one lab's per-service settings). */
  public static Settings of(Map<String, String> values) {
    return new Settings(values, name -> null);
  }

  /** A copy with these values taking precedence. */
  public Settings with(Map<String, String> values) {
    Map<String, String> merged = new HashMap<>(overrides);
    merged.putAll(values);
    return new Settings(merged, env);
  }

  public Settings with(String key, String value) {
    return with(Map.of(key, value));
  }

  public Optional<String> find(String key) {
    String value = overrides.get(key);
    if (value == null) {
      value = System.getProperty("dvr." + key);
    }
    if (value == null) {
      value = env.apply(envName(key));
    }
    return Optional.ofNullable(value).map(String::trim).filter(v -> !v.isEmpty());
  }

  public String get(String key, String defaultValue) {
    return find(key).orElse(defaultValue);
  }

  public int getInt(String key, int defaultValue) {
    return find(key).map(v -> parse(key, v, Integer::parseInt)).orElse(defaultValue);
  }

  public long getLong(String key, long defaultValue) {
    return find(key).map(v -> parse(key, v, Long::parseLong)).orElse(defaultValue);
  }

  public boolean getBoolean(String key, boolean defaultValue) {
    return find(key).map(v -> parse(key, v, Settings::parseBoolean)).orElse(defaultValue);
  }

  public List<String> getList(String key, List<String> defaultValue) {
    return find(key).map(v -> List.of(v.split("\\s*,\\s*"))).orElse(defaultValue);
  }

  public static String envName(String key) {
    return "DVR_" + key.toUpperCase().replace('.', '_').replace('-', '_');
  }

  private static boolean parseBoolean(String v) {
    return switch (v.toLowerCase()) {
      case "true", "yes", "1", "on" -> true;
      case "false", "no", "0", "off" -> false;
      default -> throw new IllegalArgumentException("not a boolean");
    };
  }

  private static <T> T parse(String key, String value, Function<String, T> parser) {
    try {
      return parser.apply(value);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "setting " + key + " (" + envName(key) + ") has an invalid value '" + value + "'", e);
    }
  }
}

package io.dvr.common.logging;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * The DVR fields of a log line, carried in the MDC. A Vert.x handler runs start to end on one
 * thread, but the next handler of the same request may run on another: so the fields are set
 * {@link #within around} each handler that logs, and the previous values are put back after it.
 */
public final class LogFields {
  public static final String SERVICE = "service";
  public static final String HOST = "host";
  public static final String ROUTER = "router";
  public static final String PORT = "port";
  public static final String REVISION = "revision";
  public static final String TRACE_ID = "trace_id";

  private LogFields() {}

  /** Runs the action with these fields on its lines (null values are left out). */
  public static void within(Map<String, String> fields, Runnable action) {
    within(fields, () -> {
      action.run();
      return null;
    });
  }

  public static <T> T within(Map<String, String> fields, Supplier<T> action) {
    Map<String, String> previous = new HashMap<>();
    fields.forEach((key, value) -> {
      if (value != null) {
        previous.put(key, MDC.get(key));
        MDC.put(key, value);
      }
    });
    try {
      return action.get();
    } finally {
      previous.forEach((key, value) -> {
        if (value == null) {
          MDC.remove(key);
        } else {
          MDC.put(key, value);
        }
      });
    }
  }

  /** One field, for the common case of a host's or a router's work. */
  public static void within(String key, String value, Runnable action) {
    within(value == null ? Map.of() : Map.of(key, value), action);
  }
}

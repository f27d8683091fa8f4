package io.dvr.common.security;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a process read from its security material, by the settings that name the files: read once
 * on a worker, then reused (a service stopped and started again in one process, or several services
 * of the lab, do not read the files again or hold a worker for it). New files take a restart.
 */
final class MaterialCache {
  private static final Map<List<Object>, Object> LOADED = new ConcurrentHashMap<>();

  private MaterialCache() {}

  @SuppressWarnings("unchecked")
  static <T> Future<T> load(Vertx vertx, List<Object> key, Callable<T> read) {
    Object held = LOADED.get(key);
    if (held != null) {
      return Future.succeededFuture((T) held);
    }
    return vertx.executeBlocking(read).onSuccess(value -> {
      if (value != null) {
        LOADED.putIfAbsent(key, value);
      }
    });
  }
}

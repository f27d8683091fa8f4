package io.dvr.common;

import io.dvr.common.config.Settings;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A process that builds its Vert.x as every service does ({@link VertxBootstrap#start}), for
 * {@link LocalVertxTest} to run in a JVM of its own: arguments are settings ({@code key=value});
 * prints "vertx up" after a message went round its event bus, or "vertx refused: " and the reason.
 */
public final class LocalVertxMain {
  private LocalVertxMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> values = new HashMap<>();
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      values.put(kv[0], kv[1]);
    }
    try {
      Vertx vertx = VertxBootstrap.start(Settings.of(values)).await(60, TimeUnit.SECONDS);
      vertx.eventBus().consumer("echo", m -> m.reply(m.body()));
      Object reply = vertx.eventBus().request("echo", "round").await(10, TimeUnit.SECONDS).body();
      System.out.println("vertx up: " + reply);
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.out.println("vertx refused: " + e.getMessage());
    }
    System.exit(0);
  }
}

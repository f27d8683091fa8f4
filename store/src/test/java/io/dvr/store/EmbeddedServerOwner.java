package io.dvr.store;

import io.dvr.common.config.Settings;
import io.vertx.core.Vertx;
import java.util.Map;

/**
 * A process that owns the embedded server as the lab does (Database.open on a data directory),
 * writes one row, says "ready" and waits to be killed: the other half of {@link LeftoverServerTest}.
 */
public final class EmbeddedServerOwner {
  private EmbeddedServerOwner() {}

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    Database db = EmbeddedStore.await(Database.open(vertx, Settings.of(Map.of("db.data-dir", args[0]))));
    EmbeddedStore.await(db.pool().query("CREATE TABLE IF NOT EXISTS owner_test(note text)").execute()
        .compose(v -> db.pool().query("INSERT INTO owner_test VALUES ('written before kill -9')").execute()));
    System.out.println("ready");
    System.out.flush();
    Thread.currentThread().join();
  }
}

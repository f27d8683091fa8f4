package io.dvr.macalloc;

import io.dvr.common.ServiceMain;
import io.dvr.common.config.Settings;
import io.dvr.store.Database;

/** Runs mac-allocator-svc in its own process, on the database of api-gateway (db.url). */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Settings settings = Settings.fromEnvironment();
    ServiceMain.run(MacAllocatorService.NAME, vertx -> Database.openShared(vertx, settings, "mac-allocator-svc")
        .compose(db -> MacAllocatorService.start(vertx, settings, db).onFailure(err -> db.close())));
  }
}

package io.dvr.arp;

import io.dvr.common.ServiceMain;
import io.dvr.common.config.Settings;
import io.dvr.store.Database;

/** Runs arp-svc in its own process, on the database of api-gateway (db.url). */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Settings settings = Settings.fromEnvironment();
    ServiceMain.run(ArpService.NAME, vertx -> Database.openShared(vertx, settings, "arp-svc")
        .compose(db -> ArpService.start(vertx, settings, db).onFailure(err -> db.close())));
  }
}

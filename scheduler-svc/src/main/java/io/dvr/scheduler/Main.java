package io.dvr.scheduler;

import io.dvr.common.ServiceMain;
import io.dvr.common.config.Settings;
import io.dvr.store.Database;

/** Runs scheduler-svc in its own process, on the database of api-gateway (db.url). */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Settings settings = Settings.fromEnvironment();
    // Closing Vert.x at exit closes the server, the consumers and the timers with it.
    ServiceMain.run(SchedulerService.NAME, vertx -> Database.openShared(vertx, settings, "scheduler-svc")
        .compose(db -> SchedulerService.start(vertx, settings, db).onFailure(err -> db.close())));
  }
}


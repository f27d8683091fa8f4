package io.dvr.scheduler;

import io.dvr.common.ServiceMain;
import io.dvr.common.config.Settings;

/** Runs scheduler in its own process. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    ServiceMain.run(SchedulerService.NAME, vertx -> SchedulerService.start(vertx, Settings.fromEnvironment()));
  }
}

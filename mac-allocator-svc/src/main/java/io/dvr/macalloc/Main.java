package io.dvr.macalloc;

import io.dvr.common.ServiceMain;
import io.dvr.common.config.Settings;

/** Runs mac-allocator in its own process. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    ServiceMain.run(MacAllocatorService.NAME, vertx -> MacAllocatorService.start(vertx, Settings.fromEnvironment()));
  }
}

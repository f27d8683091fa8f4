package io.dvr.clusterit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestWatcher;

/** Prints the tail of every process log of the running clusters when a test or its setup fails. */
final class LogTailsOnFailure implements TestWatcher, LifecycleMethodExecutionExceptionHandler {
  private static final int LINES = 40;

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    print(context.getDisplayName());
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable cause) throws Throwable {
    print("setup of " + context.getDisplayName());
    throw cause;
  }

  private static void print(String what) {
    for (Cluster cluster : Cluster.OPEN) {
      System.out.println("\n##### " + what + " failed; logs of cluster " + cluster.name + " in " + cluster.dir
          + cluster.tails(LINES));
    }
  }
}

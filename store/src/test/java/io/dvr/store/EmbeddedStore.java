package io.dvr.store;

import io.dvr.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A store on a real embedded PostgreSQL in a test's directory, migrated: the setup of every
 * service's SQL tests (shared through this module's test-jar).
 */
public final class EmbeddedStore implements AutoCloseable {
  public final Vertx vertx;
  public final Database db;
  public final Store store;

  private EmbeddedStore(Vertx vertx, Database db) {
    this.vertx = vertx;
    this.db = db;
    this.store = new Store(db.pool());
  }

  public static EmbeddedStore open(Path dataDir) throws Exception {
    Vertx vertx = Vertx.vertx();
    return new EmbeddedStore(vertx, await(Database.open(vertx, Settings.of(Map.of("db.data-dir", dataDir.toString())))));
  }

  /** Waits for the future; a failure is rethrown as its cause. */
  public static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  @Override
  public void close() throws Exception {
    db.close();
    await(vertx.close());
  }
}

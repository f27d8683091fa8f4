package io.dvr.store;

import io.dvr.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL the API writes intent to. With {@code db.url} set it connects there;
 * otherwise it starts an embedded PostgreSQL server whose data directory ({@code db.data-dir})
 * survives restarts. Migrations are applied before the pool is handed out.
 *
 * <p>A lost database is waited for, not fatal: {@link #health()} probes it and the pool connects
 * again once it answers. An embedded server whose process died is started again on its data
 * ({@link EmbeddedSupervisor}); an external one is the operator's to bring back.
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final Pool pool;
  private final PgConnectOptions connectOptions;
  private final EmbeddedSupervisor embedded;
  private final DatabaseHealth health;

  private Database(Vertx vertx, Settings settings, Pool pool, PgConnectOptions connectOptions,
      EmbeddedSupervisor embedded) {
    this.pool = pool;
    this.connectOptions = connectOptions;
    this.embedded = embedded;
    this.health = new DatabaseHealth(vertx, pool, settings.getLong("db.probe-timeout-ms", 2000),
        embedded == null ? () -> { } : () -> embedded.reviveIfDied(vertx));
  }

  public Pool pool() {
    return pool;
  }

  public PgConnectOptions connectOptions() {
    return connectOptions;
  }

  /** Whether the database answers now; what every server of the process reports as its health. */
  public DatabaseHealth health() {
    return health;
  }

  /** Starts (embedded) or reaches (external) the server and migrates it; runs blocking work on a worker. */
  public static Future<Database> open(Vertx vertx, Settings settings) {
    return vertx.executeBlocking(() -> {
      String url = settings.get("db.url", null);
      if (url != null) {
        PgConnectOptions options = PgConnectOptions.fromUri(url);
        settings.find("db.user").ifPresent(options::setUser);
        settings.find("db.password").ifPresent(options::setPassword);
        return new Object[] {options, null};
      }
      Path dataDir = Path.of(settings.get("db.data-dir", defaultDataDir()));
      EmbeddedServer server = EmbeddedServer.start(dataDir, settings.getInt("db.embedded-port", 0));
      PgConnectOptions options = new PgConnectOptions()
          .setHost("127.0.0.1").setPort(server.port())
          .setDatabase("postgres").setUser("postgres").setPassword(server.password());
      return new Object[] {options, new EmbeddedSupervisor(dataDir, server)};
    }).compose(parts -> {
      PgConnectOptions options = ((PgConnectOptions) parts[0])
          .setReconnectAttempts(settings.getInt("db.reconnect-attempts", 3))
          .setReconnectInterval(500)
          // Each connection keeps its statements parsed (named prepared statements): a statement
          // run again is bound and executed in one round trip instead of being parsed again first.
          .setCachePreparedStatements(settings.getBoolean("db.cache-prepared-statements", true));
      EmbeddedSupervisor server = (EmbeddedSupervisor) parts[1];
      PoolOptions poolOptions = new PoolOptions()
          .setMaxSize(settings.getInt("db.pool-size", 16))
          .setMaxWaitQueueSize(settings.getInt("db.max-wait-queue", 4096))
          .setConnectionTimeout(settings.getInt("db.acquire-timeout-ms", 10_000))
          .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
      Pool pool = PgBuilder.pool().with(poolOptions).connectingTo(options).using(vertx).build();
      Database db = new Database(vertx, settings, pool, options, server);
      return Migrations.apply(pool)
          .map(applied -> {
            db.health.start(settings.getLong("db.probe-ms", 1000));
            LOG.info("database at {}:{}/{} ready ({} migrations applied now)",
                options.getHost(), options.getPort(), options.getDatabase(), applied);
            return db;
          })
          .onFailure(err -> db.close());
    });
  }

  /** For services other than api-gateway: they share the gateway's database, so db.url is required. */
  public static Future<Database> openShared(Vertx vertx, Settings settings, String service) {
    if (settings.find("db.url").isEmpty()) {
      return Future.failedFuture(new IllegalArgumentException(service + " needs the database of api-gateway: set db.url ("
          + Settings.envName("db.url") + "), e.g. postgresql://dvr:secret@db:5432/dvr"));
    }
    return open(vertx, settings);
  }

  private static String defaultDataDir() {
    return System.getProperty("user.home") + File.separator + ".dvr" + File.separator + "pgdata";
  }

  @Override
  public void close() {
    health.stop();
    pool.close();
    if (embedded != null) {
      embedded.close();
    }
  }
}

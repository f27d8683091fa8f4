package io.dvr.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Versioned schema migrations from {@code db/migrations.txt}, applied in order, each in its own
 * transaction, under an advisory lock so that several instances starting at once apply each
 * migration exactly once.
 */
final class Migrations {
  private static final long LOCK_KEY = 0x44565231L; // "DVR1"

  private Migrations() {}

  static Future<Integer> apply(Pool pool) {
    List<String> names = resourceLines("db/migrations.txt");
    return pool.withTransaction(conn -> conn
        .query("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")").execute()
        .compose(v -> conn.query("SELECT to_regclass('schema_migrations') IS NULL").execute())
        .compose(missing -> !missing.iterator().next().getBoolean(0) ? Future.succeededFuture()
            : conn.query("CREATE TABLE schema_migrations ("
                + "version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())").execute())
        .compose(v -> conn.query("SELECT version FROM schema_migrations").execute())
        .compose(rows -> {
          List<String> applied = new ArrayList<>();
          rows.forEach(r -> applied.add(r.getString(0)));
          Future<Integer> chain = Future.succeededFuture(0);
          for (String name : names) {
            if (!applied.contains(name)) {
              chain = chain.compose(n -> run(conn, name).map(n + 1));
            }
          }
          return chain;
        }));
  }

  private static Future<Void> run(SqlConnection conn, String name) {
    String sql = resource("db/" + name);
    return conn.query(sql).execute()
        .compose(v -> conn.preparedQuery("INSERT INTO schema_migrations(version) VALUES ($1)")
            .execute(Tuple.of(name)))
        .mapEmpty();
  }

  private static List<String> resourceLines(String path) {
    return resource(path).lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  private static String resource(String path) {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("migration resource missing: " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

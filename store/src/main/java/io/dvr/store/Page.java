package io.dvr.store;

import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.function.Function;

/** One page of a list: at most {@code size} items and the token of the next page ("" at the end). */
public record Page<T>(List<T> items, String nextToken) {

  /** Builds a page from rows fetched with LIMIT size + 1: the extra row says there is more. */
  public static <T> Page<T> of(List<Row> rows, int size, Function<Row, T> mapper, Function<T, String> id) {
    List<T> items = rows.stream().limit(size).map(mapper).toList();
    String next = rows.size() > size ? id.apply(items.get(items.size() - 1)) : "";
    return new Page<>(items, next);
  }
}

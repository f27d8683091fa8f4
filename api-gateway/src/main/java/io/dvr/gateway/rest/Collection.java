package io.dvr.gateway.rest;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One Neutron collection ({@code /v2.0/<plural>}) over the services: what GET, POST, PUT and
 * DELETE do with its items, in Neutron's JSON. A method a collection does not offer answers 405.
 */
interface Collection {
  Pattern UUID_FORM = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** {@code network}: the key of one item in a body. */
  String singular();

  /** {@code networks}: the path and the key of a list. */
  String plural();

  /** The resource's name in messages ({@code network}, {@code floating IP}). */
  String kind();

  /** Every attribute an item shows: the filters and fields a list accepts. */
  List<String> attributes();

  /** What the collection offers, of list, show, create, update, delete (the others answer 405). */
  default Set<String> operations() {
    return Set.of("list", "show", "create", "update", "delete");
  }

  /** The items the caller may see; {@code query} may be used to narrow the services' listing. */
  Future<List<JsonObject>> list(ListQuery query);

  Future<JsonObject> show(String id);

  default Future<JsonObject> create(JsonObject body) {
    throw notAllowed("POST");
  }

  default Future<JsonObject> update(String id, JsonObject body) {
    throw notAllowed("PUT");
  }

  /**
   * PUT with {@code If-Match: revision_number=N} ({@code ifRevision}, null without one). A collection
   * that {@link #checksRevision} checks it in the update's own transaction; the face checks it just
   * before the update for the others.
   */
  default Future<JsonObject> update(String id, JsonObject body, Long ifRevision) {
    return update(id, body);
  }

  default boolean checksRevision() {
    return false;
  }

  default Future<Void> delete(String id) {
    throw notAllowed("DELETE");
  }

  default NeutronErrors.RestError notAllowed(String method) {
    return new NeutronErrors.RestError(405, "HTTPMethodNotAllowed", method + " is not offered on " + plural());
  }

  /** An id from the path: one that cannot be a resource's is not found (as Neutron answers). */
  default String id(String id) {
    if (!UUID_FORM.matcher(id).matches()) {
      throw NeutronErrors.notFound(kind(), id);
    }
    return id;
  }

  /** One page of a service's list and the token of the next ("" after the last). */
  record Page(List<JsonObject> items, String next) {}

  /** Every page of a service's list, following its page tokens. */
  static Future<List<JsonObject>> all(Function<String, Future<Page>> page) {
    List<JsonObject> items = new ArrayList<>();
    return collect(page, "", items).map(v -> items);
  }

  private static Future<Void> collect(Function<String, Future<Page>> page, String token, List<JsonObject> into) {
    return page.apply(token).compose(p -> {
      into.addAll(p.items());
      return p.next().isEmpty() ? Future.succeededFuture() : collect(page, p.next(), into);
    });
  }
}

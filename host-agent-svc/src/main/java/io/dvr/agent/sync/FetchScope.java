package io.dvr.agent.sync;

import io.dvr.proto.v1.GetHostRoutersRequest;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one fetch of the host's routers asks for: every router the host carries (a full sync,
 * which also drops the routers no longer carried) or some routers by id. Scopes merge: anything
 * merged with a full sync is a full sync.
 */
sealed interface FetchScope {

  /** Nothing to fetch. */
  FetchScope NONE = new Routers(Set.of());

  /** Every router the host carries. */
  record All() implements FetchScope {
    @Override
    public String toString() {
      return "of every router";
    }
  }

  /** These routers (a router no longer carried comes back absent and is dropped). */
  record Routers(Set<String> ids) implements FetchScope {
    public Routers {
      ids = Set.copyOf(ids);
    }

    @Override
    public String toString() {
      return "of routers " + new TreeSet<>(ids);
    }
  }

  static FetchScope all() {
    return new All();
  }

  static FetchScope routers(Iterable<String> ids) {
    Set<String> set = new TreeSet<>();
    ids.forEach(set::add);
    return new Routers(set);
  }

  default boolean isEmpty() {
    return this instanceof Routers r && r.ids().isEmpty();
  }

  /** Whether a fetch of this scope brings the router's current state. */
  default boolean covers(String routerId) {
    return this instanceof All || ((Routers) this).ids().contains(routerId);
  }

  default FetchScope merge(FetchScope other) {
    if (this instanceof All || other instanceof All) {
      return all();
    }
    Set<String> ids = new TreeSet<>(((Routers) this).ids());
    ids.addAll(((Routers) other).ids());
    return new Routers(ids);
  }

  default GetHostRoutersRequest request(String host) {
    GetHostRoutersRequest.Builder request = GetHostRoutersRequest.newBuilder().setHost(host);
    if (this instanceof Routers r) {
      // An empty list asks for every router: never send one for an empty scope.
      request.addAllRouterIds(new TreeSet<>(r.ids()));
    }
    return request.build();
  }
}

package io.dvr.agent.driver.linux;

import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.NatTable;
import io.dvr.agent.render.Names;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Our part of each namespace's nat table as this driver last wrote or read it: what a change of a
 * few rules (a floating IP added or removed) is a delta from, so that it needs no {@code
 * iptables-save}. A namespace the driver knows nothing of (or whose restore failed) is read again.
 * Lanes touch different namespaces: one map shared by all, safe for concurrent use.
 */
final class KnownNat {
  private final Map<String, NatTable> tables = new ConcurrentHashMap<>();

  Optional<NatTable> of(String namespace) {
    return Optional.ofNullable(tables.get(namespace));
  }

  /** After a restore that ran through: the table's part of ours is {@code ours}. */
  void wrote(String namespace, NatTable ours) {
    tables.put(namespace, ours);
  }

  void forget(String namespace) {
    tables.remove(namespace);
  }

  /** After a read of every namespace: what was read, and nothing else. */
  void readAll(Map<String, NamespaceState> namespaces) {
    tables.keySet().retainAll(namespaces.keySet());
    read(namespaces);
  }

  /** After a read of some namespaces ({@code names}; those absent from {@code seen} are gone). */
  void read(Iterable<String> names, Map<String, NamespaceState> seen) {
    names.forEach(tables::remove);
    read(seen);
  }

  private void read(Map<String, NamespaceState> namespaces) {
    namespaces.forEach((name, ns) -> {
      if (Names.isOurNamespace(name)) {
        tables.put(name, ns.nat().owned(Names::isOurChain));
      }
    });
  }
}

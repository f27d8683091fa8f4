package io.dvr.common.cluster;

import io.vertx.core.spi.cluster.RegistrationInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The verified records of the other members, by Hazelcast member, with the indexes routing reads:
 * registrations by address and records by Vert.x node id. Written by one thread (the trust
 * thread), read by any: each change publishes new immutable maps. A record is only replaced by
 * a newer version of the same member and only dropped when that member leaves Hazelcast, never
 * because an entry was deleted or overwritten in the shared map.
 */
final class TrustedNodes {
  private record Held(NodeRecord record, byte[] bytes) {}

  private volatile Map<String, Held> byMember = Map.of();
  private volatile Map<String, NodeRecord> byNode = Map.of();
  private volatile Map<String, List<RegistrationInfo>> byAddress = Map.of();

  /** Whether exactly these bytes are the record already held for this member. */
  boolean holds(String memberUuid, byte[] bytes) {
    Held held = byMember.get(memberUuid);
    return held != null && Arrays.equals(held.bytes, bytes);
  }

  boolean trusts(String memberUuid) {
    return byMember.containsKey(memberUuid);
  }

  /** Takes a verified record; returns the addresses whose registrations changed (none for an older version). */
  synchronized Set<String> accept(NodeRecord record, byte[] bytes) {
    Held old = byMember.get(record.memberUuid());
    if (old != null && old.record.version() >= record.version()) {
      return Set.of();
    }
    Map<String, Held> next = new HashMap<>(byMember);
    next.put(record.memberUuid(), new Held(record, bytes));
    return publish(next, old == null ? null : old.record, record);
  }

  /** Forgets a member that left; returns the addresses it had registrations on. */
  synchronized Set<String> remove(String memberUuid) {
    Held old = byMember.get(memberUuid);
    if (old == null) {
      return Set.of();
    }
    Map<String, Held> next = new HashMap<>(byMember);
    next.remove(memberUuid);
    return publish(next, old.record, null);
  }

  List<RegistrationInfo> registrations(String address) {
    return byAddress.getOrDefault(address, List.of());
  }

  NodeRecord node(String nodeId) {
    return byNode.get(nodeId);
  }

  int size() {
    return byMember.size();
  }

  private Set<String> publish(Map<String, Held> next, NodeRecord before, NodeRecord after) {
    Map<String, NodeRecord> nodes = new HashMap<>();
    Map<String, List<RegistrationInfo>> addresses = new HashMap<>();
    for (Held h : next.values()) {
      nodes.put(h.record.nodeId(), h.record);
      h.record.registrations().forEach((address, seqs) -> {
        List<RegistrationInfo> list = addresses.computeIfAbsent(address, a -> new ArrayList<>());
        seqs.forEach(seq -> list.add(new RegistrationInfo(h.record.nodeId(), seq, false)));
      });
    }
    addresses.replaceAll((a, list) -> List.copyOf(list));
    byMember = Map.copyOf(next);
    byNode = Map.copyOf(nodes);
    byAddress = Map.copyOf(addresses);
    Set<String> changed = new TreeSet<>();
    Map<String, List<Long>> was = before == null ? Map.of() : before.registrations();
    Map<String, List<Long>> is = after == null ? Map.of() : after.registrations();
    for (String a : union(was.keySet(), is.keySet())) {
      if (!Objects.equals(was.get(a), is.get(a))) {
        changed.add(a);
      }
    }
    boolean moved = before != null && after != null
        && (!before.host().equals(after.host()) || before.port() != after.port() || !before.nodeId().equals(after.nodeId()));
    if (moved) {
      changed.addAll(is.keySet());
    }
    return changed;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }
}

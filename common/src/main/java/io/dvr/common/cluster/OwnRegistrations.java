package io.dvr.common.cluster;

import io.vertx.core.spi.cluster.RegistrationInfo;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** The handler registrations of this member, as its own event bus made them: the source of its record. */
final class OwnRegistrations {
  private final Map<String, Set<RegistrationInfo>> byAddress = new ConcurrentHashMap<>();

  void add(String address, RegistrationInfo registration) {
    byAddress.compute(address, (a, set) -> {
      Set<RegistrationInfo> next = set == null ? new LinkedHashSet<>() : new LinkedHashSet<>(set);
      next.add(registration);
      return next;
    });
  }

  void remove(String address, RegistrationInfo registration) {
    byAddress.computeIfPresent(address, (a, set) -> {
      Set<RegistrationInfo> next = new LinkedHashSet<>(set);
      next.remove(registration);
      return next.isEmpty() ? null : next;
    });
  }

  /** Every registration on the address, local-only ones included (they are this member's own). */
  List<RegistrationInfo> get(String address) {
    Set<RegistrationInfo> set = byAddress.get(address);
    return set == null ? List.of() : List.copyOf(set);
  }

  /** The registrations other members may route to: address to handler sequence numbers. */
  SortedMap<String, List<Long>> shared() {
    SortedMap<String, List<Long>> out = new TreeMap<>();
    byAddress.forEach((address, set) -> {
      List<Long> seqs = new ArrayList<>();
      set.stream().filter(r -> !r.localOnly()).forEach(r -> seqs.add(r.seq()));
      if (!seqs.isEmpty()) {
        seqs.sort(null);
        out.put(address, seqs);
      }
    });
    return out;
  }
}

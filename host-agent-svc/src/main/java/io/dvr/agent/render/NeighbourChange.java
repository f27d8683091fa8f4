package io.dvr.agent.render;

import io.dvr.agent.model.Neighbour;
import java.util.HashSet;
import java.util.Set;

/** Permanent neighbours one namespace no longer wants and newly wants. */
public record NeighbourChange(String namespace, Set<Neighbour> gone, Set<Neighbour> added) {
  public NeighbourChange {
    gone = Set.copyOf(gone);
    added = Set.copyOf(added);
  }

  /** The keys (address and device) that may differ: a diff of these alone is the whole diff. */
  public Set<Neighbour.Key> keys() {
    Set<Neighbour.Key> keys = new HashSet<>();
    gone.forEach(n -> keys.add(n.key()));
    added.forEach(n -> keys.add(n.key()));
    return keys;
  }

  public boolean isEmpty() {
    return gone.isEmpty() && added.isEmpty();
  }
}

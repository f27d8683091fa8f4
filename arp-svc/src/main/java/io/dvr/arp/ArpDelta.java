package io.dvr.arp;

import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.ArpUpdate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What changed in one router's ARP table since it was last sent, pure: entries added or changed
 * (another MAC for an address) go in {@code add}, addresses gone in {@code remove}. Keyed by IP
 * address, the key of a neighbour entry.
 */
final class ArpDelta {
  private ArpDelta() {}

  /** The table as a map from address to entry (the first entry of a duplicated address wins). */
  static Map<String, ArpEntry> byAddress(List<ArpEntry> table) {
    Map<String, ArpEntry> map = new LinkedHashMap<>();
    table.forEach(e -> map.putIfAbsent(e.getIpAddress(), e));
    return map;
  }

  static ArpUpdate between(UUID routerId, Map<String, ArpEntry> before, Map<String, ArpEntry> now) {
    ArpUpdate.Builder change = ArpUpdate.newBuilder().setRouterId(routerId.toString());
    now.values().stream().filter(e -> !e.equals(before.get(e.getIpAddress()))).forEach(change::addAdd);
    before.values().stream().filter(e -> !now.containsKey(e.getIpAddress())).forEach(change::addRemove);
    return change.build();
  }

  static boolean isEmpty(ArpUpdate update) {
    return update.getAddCount() + update.getRemoveCount() == 0;
  }
}

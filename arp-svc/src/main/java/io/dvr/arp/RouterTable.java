package io.dvr.arp;

import io.dvr.arp.store.ArpStore;
import io.dvr.proto.v1.ArpEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * arp-svc's copy of one router's ARP table: read from the database in a snapshot, then patched
 * port by port from the changes' facts. A change the snapshot already saw is not applied again (an
 * event arriving after the read of what it did); each port's entries are replaced whole, so changes
 * of different ports commute, and one port's changes arrive in order (the intake takes only the
 * latest). Immutable.
 */
record RouterTable(Map<String, List<ArpEntry>> byPort, ArpStore.Snapshot snapshot, long readAtMillis) {

  static RouterTable read(ArpStore.Read read, long nowMillis) {
    Map<String, List<ArpEntry>> byPort = new LinkedHashMap<>();
    read.entries().forEach(e -> byPort.computeIfAbsent(e.getPortId(), p -> new ArrayList<>()).add(e));
    return new RouterTable(byPort, read.snapshot(), nowMillis);
  }

  /** One port's entries as a change left them, made by transaction {@code changeId}. */
  record Patch(long changeId, String portId, List<ArpEntry> entries) {}

  RouterTable patched(Patch patch) {
    if (snapshot.sees(patch.changeId())) {
      return this;
    }
    Map<String, List<ArpEntry>> next = new LinkedHashMap<>(byPort);
    if (patch.entries().isEmpty()) {
      next.remove(patch.portId());
    } else {
      next.put(patch.portId(), List.copyOf(patch.entries()));
    }
    return new RouterTable(next, snapshot, readAtMillis);
  }

  /** The entries by address, as {@link ArpDelta} compares them (ordered by address as a read orders them). */
  Map<String, ArpEntry> byAddress() {
    List<ArpEntry> all = new ArrayList<>();
    byPort.values().forEach(all::addAll);
    all.sort(java.util.Comparator.comparing(e -> addressKey(e.getIpAddress())));
    return ArpDelta.byAddress(all);
  }

  private static long addressKey(String ip) {
    io.dvr.common.net.Ipv4 v4 = io.dvr.common.net.Ipv4.tryParse(ip);
    return v4 == null ? Long.MAX_VALUE : v4.value();
  }
}

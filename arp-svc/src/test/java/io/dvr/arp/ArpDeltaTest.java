package io.dvr.arp;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.ArpUpdate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ARP table changes are sent as deltas: added or changed entries, removed addresses")
class ArpDeltaTest {
  static final UUID ROUTER = UUID.fromString("00000000-0000-0000-0000-0000000000a1");

  static ArpEntry entry(String ip, String mac) {
    return ArpEntry.newBuilder().setIpAddress(ip).setMacAddress(mac).setSubnetId("s").setPortId("p-" + ip).build();
  }

  static ArpUpdate delta(List<ArpEntry> before, List<ArpEntry> now) {
    return ArpDelta.between(ROUTER, ArpDelta.byAddress(before), ArpDelta.byAddress(now));
  }

  @Test
  @DisplayName("the first table of a router is sent whole")
  void firstTableWhole() {
    ArpUpdate update = delta(List.of(), List.of(entry("10.0.0.5", "fa:16:3e:00:00:05"), entry("10.0.0.6", "fa:16:3e:00:00:06")));
    assertThat(update.getRouterId()).isEqualTo(ROUTER.toString());
    assertThat(update.getAddList()).extracting(ArpEntry::getIpAddress).containsExactly("10.0.0.5", "10.0.0.6");
    assertThat(update.getRemoveList()).isEmpty();
  }

  @Test
  @DisplayName("a new port adds only its entry")
  void add() {
    ArpEntry a = entry("10.0.0.5", "fa:16:3e:00:00:05");
    ArpEntry b = entry("10.0.0.7", "fa:16:3e:00:00:07");
    ArpUpdate update = delta(List.of(a), List.of(a, b));
    assertThat(update.getAddList()).containsExactly(b);
    assertThat(update.getRemoveList()).isEmpty();
  }

  @Test
  @DisplayName("a deleted port removes only its entry")
  void remove() {
    ArpEntry a = entry("10.0.0.5", "fa:16:3e:00:00:05");
    ArpEntry b = entry("10.0.0.7", "fa:16:3e:00:00:07");
    ArpUpdate update = delta(List.of(a, b), List.of(a));
    assertThat(update.getAddList()).isEmpty();
    assertThat(update.getRemoveList()).containsExactly(b);
  }

  @Test
  @DisplayName("another MAC on an address is one add that replaces the entry, not a remove")
  void macChange() {
    ArpEntry old = entry("10.0.0.5", "fa:16:3e:00:00:05");
    ArpEntry changed = entry("10.0.0.5", "fa:16:3e:00:00:55");
    ArpUpdate update = delta(List.of(old), List.of(changed));
    assertThat(update.getAddList()).containsExactly(changed);
    assertThat(update.getRemoveList()).isEmpty();
  }

  @Test
  @DisplayName("an unchanged table sends nothing")
  void unchanged() {
    ArpEntry a = entry("10.0.0.5", "fa:16:3e:00:00:05");
    assertThat(ArpDelta.isEmpty(delta(List.of(a), List.of(a)))).isTrue();
    assertThat(ArpDelta.isEmpty(ArpDelta.between(ROUTER, Map.of(), Map.of()))).isTrue();
  }
}

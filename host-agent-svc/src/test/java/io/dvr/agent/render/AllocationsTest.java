package io.dvr.agent.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AllocationsTest {
  private static final Allocations FIP = Allocations.empty(Names.FIP_PRIORITY_FIRST, Names.FIP_PRIORITY_LAST);

  @Test
  @DisplayName("new keys get the lowest free values, in key order")
  void lowestFree() {
    Allocations a = Allocations.assign(FIP, List.of("r/10.0.0.5", "r/10.0.0.3"));
    assertThat(a.assigned()).containsExactly(Map.entry("r/10.0.0.3", 32768), Map.entry("r/10.0.0.5", 32769));
  }

  @Test
  @DisplayName("existing keys keep their values when new keys come, even if a lower value is free")
  void stable() {
    Allocations a = Allocations.assign(FIP, List.of("b", "c"));
    Allocations b = Allocations.assign(a, List.of("a", "b", "c"));
    assertThat(b.valueOf("b")).hasValue(32768);
    assertThat(b.valueOf("c")).hasValue(32769);
    assertThat(b.valueOf("a")).hasValue(32770);
  }

  @Test
  @DisplayName("keys no longer needed are released and their values reused")
  void release() {
    Allocations a = Allocations.assign(FIP, List.of("a", "b", "c"));
    Allocations b = Allocations.assign(a, List.of("c"));
    assertThat(b.assigned()).containsExactly(Map.entry("c", 32770));
    Allocations c = Allocations.assign(b, List.of("c", "d"));
    assertThat(c.valueOf("d")).hasValue(32768);
    assertThat(Allocations.assign(c, List.of()).assigned()).isEmpty();
  }

  @Test
  @DisplayName("assigning the same needs twice changes nothing (a pure function)")
  void idempotent() {
    Allocations a = Allocations.assign(FIP, List.of("x", "y"));
    assertThat(Allocations.assign(a, List.of("y", "x"))).isEqualTo(a);
  }

  @Test
  @DisplayName("a full range fails clearly, and persisted duplicates are refused")
  void exhaustion() {
    Allocations two = Allocations.empty(1, 2);
    assertThatThrownBy(() -> Allocations.assign(two, List.of("a", "b", "c")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no free value in 1..2");
    Map<String, Integer> dup = new TreeMap<>(Map.of("a", 1, "b", 1));
    assertThatThrownBy(() -> new Allocations(1, 2, new TreeMap<>(dup))).isInstanceOf(IllegalArgumentException.class);
  }
}

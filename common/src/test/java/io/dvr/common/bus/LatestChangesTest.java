package io.dvr.common.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.ResourceChanged;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LatestChangesTest {
  private static ResourceChanged change(String resource, long sequence) {
    return ResourceChanged.newBuilder().setResourceId(resource).setSequence(sequence).build();
  }

  @Test
  @DisplayName("a change published twice (by its writer, then by the relay) is taken once")
  void repeatTakenOnce() {
    LatestChanges latest = new LatestChanges();
    assertThat(latest.take(change("p1", 7))).isTrue();
    assertThat(latest.take(change("p1", 7))).isFalse();
    assertThat(latest.taken()).isEqualTo(1);
    assertThat(latest.skipped()).isEqualTo(1);
  }

  @Test
  @DisplayName("an older change of a resource arriving after a newer one is left; other resources are independent")
  void olderAfterNewerLeft() {
    LatestChanges latest = new LatestChanges();
    assertThat(latest.take(change("p1", 9))).isTrue();
    assertThat(latest.take(change("p1", 8))).isFalse();
    assertThat(latest.take(change("p2", 8))).isTrue();
    assertThat(latest.take(change("p1", 10))).isTrue();
  }

  @Test
  @DisplayName("an event without a sequence (not from the outbox) is always taken")
  void unnumberedAlwaysTaken() {
    LatestChanges latest = new LatestChanges();
    assertThat(latest.take(change("p1", 0))).isTrue();
    assertThat(latest.take(change("p1", 0))).isTrue();
  }

  @Test
  @DisplayName("beyond its capacity the least recently changed resource is forgotten, so memory stays bounded")
  void bounded() {
    LatestChanges latest = new LatestChanges(2);
    latest.take(change("a", 1));
    latest.take(change("b", 2));
    latest.take(change("c", 3));
    assertThat(latest.take(change("a", 1))).as("a was forgotten").isTrue();
    assertThat(latest.take(change("c", 3))).isFalse();
  }
}

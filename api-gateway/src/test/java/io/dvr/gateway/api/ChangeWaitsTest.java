package io.dvr.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.gateway.store.AppliedStateStore.HostRecord;
import io.dvr.gateway.store.AppliedStateStore.RouterRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Who lags behind a change, from what the hosts reported: the rules of a wait, without a server. */
class ChangeWaitsTest {
  private static final UUID ROUTER = UUID.fromString("e8f12f7a-6938-4e65-88c4-97e4cb211b27");
  private static final long CHANGE = 812;

  private static HostRecord holding(String host, long generation, List<Long> inProgress) {
    return new HostRecord(host, generation, inProgress, List.of(new RouterRecord(ROUTER, generation, inProgress, false)),
        Optional.of(Instant.EPOCH), "", Optional.empty());
  }

  /** A router-wide change: compute1 carries the router as the wait began; nothing else may hold it. */
  private static final ChangeWaits.Target TARGET = new ChangeWaits.Target(ROUTER, CHANGE,
      Map.of("compute1", Set.of(ROUTER)), Set.of(), Map.of(ROUTER, Set.of("compute1")));

  @Test
  @DisplayName("a copy read after the change, or from a snapshot that does not list it as running, has it")
  void seenByTheSnapshot() {
    assertThat(TARGET.lag(holding("compute1", 900, List.of()))).isEmpty();
    assertThat(TARGET.lag(holding("compute1", 900, List.of(CHANGE)))).get().asString()
        .contains("as of generation 900, before change 812");
    assertThat(TARGET.lag(holding("compute1", CHANGE, List.of()))).isPresent();
  }

  @Test
  @DisplayName("a host placed after the wait began lags only while its copy predates the change")
  void placedAfterTheWaitBegan() {
    assertThat(TARGET.lag(holding("compute2", 900, List.of()))).as("its copy was read after the change").isEmpty();
    assertThat(TARGET.lag(holding("compute2", 700, List.of()))).get().asString()
        .contains("still holds router " + ROUTER + " as of generation 700");
    assertThat(TARGET.hosts(Map.of("compute2", holding("compute2", 700, List.of()))))
        .containsExactly("compute1", "compute2");
  }

  @Test
  @DisplayName("a host that must hold the router and does not, or never reported, lags")
  void notHeld() {
    HostRecord empty = new HostRecord("compute1", 900, List.of(), List.of(), Optional.of(Instant.EPOCH), "",
        Optional.empty());
    assertThat(TARGET.lag(empty)).get().asString().contains("does not hold router");
  }
}

package io.dvr.scheduler.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.scheduler.store.FipGatewayPorts.Change;
import io.dvr.scheduler.store.FipGatewayPorts.Existing;
import io.dvr.scheduler.store.FipGatewayPorts.Key;
import io.dvr.scheduler.store.FipGatewayPorts.State;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("fg- ports: one per (external network, host) with a floating IP there, none elsewhere")
class FipGatewayPortsTest {
  static final UUID EXT = UUID.fromString("00000000-0000-0000-0000-0000000000e1");
  static final UUID EXT2 = UUID.fromString("00000000-0000-0000-0000-0000000000e2");
  static final UUID P1 = UUID.fromString("00000000-0000-0000-0000-000000000001");
  static final UUID P2 = UUID.fromString("00000000-0000-0000-0000-000000000002");

  static Change decide(List<Key> needed, Existing... existing) {
    return FipGatewayPorts.decide(new State(needed, List.of(existing)));
  }

  @Test
  @DisplayName("a host with a floating IP and no fg- port on its network gets one")
  void createsMissing() {
    Change change = decide(List.of(new Key(EXT, "compute1")));
    assertThat(change.create()).containsExactly(new Key(EXT, "compute1"));
    assertThat(change.delete()).isEmpty();
    assertThat(change.hosts()).as("told to refetch once the port is made").containsExactly("compute1");
  }

  @Test
  @DisplayName("a host that has its fg- port changes nothing (idempotent)")
  void keepsExisting() {
    Change change = decide(List.of(new Key(EXT, "compute1")), new Existing(P1, new Key(EXT, "compute1"), true));
    assertThat(change.isEmpty()).isTrue();
    assertThat(change.hosts()).isEmpty();
  }

  @Test
  @DisplayName("an fg- port whose host has no floating IP left on its network is deleted; one still used elsewhere stays")
  void deletesStale() {
    Change change = decide(List.of(),
        new Existing(P1, new Key(EXT, "compute1"), false),
        new Existing(P2, new Key(EXT, "compute2"), true));
    assertThat(change.create()).isEmpty();
    assertThat(change.delete()).containsExactly(P1);
    assertThat(change.hosts()).as("the host whose port goes, not the one whose port stays").containsExactly("compute1");
  }

  @Test
  @DisplayName("a port on another network does not stand for the one the floating IP needs")
  void networkMatters() {
    Change change = decide(List.of(new Key(EXT, "compute1")), new Existing(P1, new Key(EXT2, "compute1"), true));
    assertThat(change.create()).containsExactly(new Key(EXT, "compute1"));
    assertThat(change.delete()).isEmpty();
  }

  @Test
  @DisplayName("two ports of one pair: the lower id stays, the other goes")
  void duplicateGoes() {
    Change change = decide(List.of(new Key(EXT, "compute1")),
        new Existing(P2, new Key(EXT, "compute1"), true),
        new Existing(P1, new Key(EXT, "compute1"), true));
    assertThat(change.create()).isEmpty();
    assertThat(change.delete()).containsExactly(P2);
  }

  @Test
  @DisplayName("the request to api-gateway names the pairs to create and the ports to delete")
  void request() {
    var request = decide(List.of(new Key(EXT, "compute1")), new Existing(P1, new Key(EXT2, "compute2"), false)).toRequest();
    assertThat(request.getCreate(0).getNetworkId()).isEqualTo(EXT.toString());
    assertThat(request.getCreate(0).getHost()).isEqualTo("compute1");
    assertThat(request.getDeletePortIdsList()).containsExactly(P1.toString());
  }
}

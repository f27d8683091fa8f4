package io.dvr.scheduler.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.HaState;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.RouterInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("HA election: an HA router's SNAT on snat.ha-hosts live dvr_snat hosts, exactly one active")
class HaElectionTest extends HaFixture {
  static final SchedulerStore scheduler = new SchedulerStore(75, Instant.EPOCH, 2);

  @Test
  @DisplayName("on 2 of 4 dvr_snat hosts (the least loaded; dead and admin-down ones excluded), one active, one standby")
  void electsOnTheLeastLoadedLiveHosts() throws Exception {
    snatHosts("net-a", "net-b", "net-c");
    agent("net-dead", "dvr_snat", true, false);
    agent("net-down", "dvr_snat", false, true);
    agent("compute1", "dvr", false, false);
    UUID plain = router(false);
    reschedule(scheduler, plain);
    assertThat(roles(plain)).as("a non-HA router: one host, no role").isEqualTo(Map.of("net-a", "single"));

    UUID r = router(true);
    SchedulerStore.Placement placed = reschedule(scheduler, r);
    assertThat(roles(r)).as("net-a holds a SNAT already").isEqualTo(Map.of("net-b", "active", "net-c", "standby"));
    assertThat(placed.added()).containsExactly("net-b", "net-c");
    assertThat(epoch(r)).isEqualTo(1);

    UUID second = router(true);
    reschedule(scheduler, second);
    assertThat(roles(second)).as("the least loaded (net-a), then by name; the active where fewest actives are")
        .containsOnlyKeys("net-a", "net-b").containsEntry("net-a", "active");

    // What ListRouterHosts and the host views show.
    List<RouterHost> hosts = await(store.read(tx -> scheduler.hostsOf(tx, r)));
    assertThat(hosts).extracting(RouterHost::getHost, RouterHost::getSnat, RouterHost::getHaState).containsExactly(
        org.assertj.core.groups.Tuple.tuple("net-b", true, HaState.HA_STATE_ACTIVE),
        org.assertj.core.groups.Tuple.tuple("net-c", true, HaState.HA_STATE_STANDBY));
    RouterInfo onB = view("net-b", r);
    RouterInfo onC = view("net-c", r);
    RouterInfo onA = view("net-a", r);
    assertThat(onB.getSnatHere()).isTrue();
    assertThat(onB.getHa()).isTrue();
    assertThat(onB.getHaState()).isEqualTo(HaState.HA_STATE_ACTIVE);
    assertThat(onB.getHaEpoch()).isEqualTo(1);
    assertThat(onC.getSnatHere()).isTrue();
    assertThat(onC.getHaState()).isEqualTo(HaState.HA_STATE_STANDBY);
    assertThat(onC.getHaEpoch()).isEqualTo(1);
    assertThat(onA.getSnatHere()).as("not an SNAT host of this router").isFalse();
    assertThat(onA.getHaState()).isEqualTo(HaState.HA_STATE_UNSPECIFIED);
    assertThat(view("net-a", plain).getSnatHere()).isTrue();
    assertThat(view("net-a", plain).getHa()).isFalse();
  }

  @Test
  @DisplayName("fewer dvr_snat hosts than snat.ha-hosts: on as many as there are; a host arriving later becomes a standby")
  void fewerHosts() throws Exception {
    snatHosts("net-a");
    UUID r = router(true);
    reschedule(scheduler, r);
    assertThat(roles(r)).isEqualTo(Map.of("net-a", "active"));
    snatHosts("net-b");
    List<UUID> concerning = await(store.read(tx -> scheduler.routersConcerning(tx, "net-b")));
    assertThat(concerning).as("a new dvr_snat agent fills it")
        .contains(r);
    SchedulerStore.Placement placed = reschedule(scheduler, r);
    assertThat(roles(r)).isEqualTo(Map.of("net-a", "active", "net-b", "standby"));
    assertThat(placed.added()).containsExactly("net-b");
    assertThat(epoch(r)).as("the active did not change").isEqualTo(1);

    SchedulerStore three = new SchedulerStore(75, Instant.EPOCH, 3);
    snatHosts("net-c");
    reschedule(three, r);
    assertThat(roles(r)).isEqualTo(Map.of("net-a", "active", "net-b", "standby", "net-c", "standby"));
  }

  @Test
  @DisplayName("the active is sticky: reschedules keep it while it lives, whatever the load")
  void stickyActive() throws Exception {
    snatHosts("net-a", "net-b");
    UUID r = router(true);
    reschedule(scheduler, r);
    String first = active(r);
    for (int i = 0; i < 3; i++) {
      UUID other = router(false);
      reschedule(scheduler, other);
    }
    SchedulerStore.Placement again = reschedule(scheduler, r);
    assertThat(active(r)).isEqualTo(first);
    assertThat(again.added()).isEmpty();
    assertThat(again.removed()).isEmpty();
    assertThat(again.roleChanged()).isEmpty();
    assertThat(epoch(r)).isEqualTo(1);
  }

  @Test
  @DisplayName("a dead host (down time passed, no lease) loses its role: a standby becomes active (epoch+1), a live host refills")
  void deadHostsReplaced() throws Exception {
    snatHosts("net-a", "net-b", "net-c");
    UUID r = router(true);
    reschedule(scheduler, r);
    assertThat(roles(r)).isEqualTo(Map.of("net-a", "active", "net-b", "standby"));
    kill("net-a");
    SchedulerStore.Placement moved = reschedule(scheduler, r);
    assertThat(roles(r)).isEqualTo(Map.of("net-b", "active", "net-c", "standby"));
    assertThat(moved.removed()).containsExactly("net-a");
    assertThat(moved.added()).containsExactly("net-c");
    assertThat(moved.roleChanged()).contains("net-b");
    assertThat(epoch(r)).isEqualTo(2);

    kill("net-c");
    reschedule(scheduler, r);
    assertThat(roles(r)).as("a dead standby goes; no host is left to replace it").isEqualTo(Map.of("net-b", "active"));
  }

  @Test
  @DisplayName("an admin-down host gets no new HA router, and its standbys go to another host")
  void adminDownHosts() throws Exception {
    snatHosts("net-a", "net-b", "net-c");
    UUID r = router(true);
    reschedule(scheduler, r);
    adminDown("net-b");
    reschedule(scheduler, r);
    assertThat(roles(r)).isEqualTo(Map.of("net-a", "active", "net-c", "standby"));
    UUID fresh = router(true);
    reschedule(scheduler, fresh);
    assertThat(roles(fresh)).doesNotContainKey("net-b").hasSize(2);
  }

  @Test
  @DisplayName("without a gateway an HA router has no SNAT host")
  void noGateway() throws Exception {
    snatHosts("net-a", "net-b");
    UUID r = router(true);
    reschedule(scheduler, r);
    await(store.write(tx -> tx.query("UPDATE routers SET gw_network_id = NULL WHERE id = $1", r)));
    assertThat(reschedule(scheduler, r).removed()).containsExactlyInAnyOrder("net-a", "net-b");
    assertThat(roles(r)).isEmpty();
  }

  static RouterInfo view(String host, UUID router) throws Exception {
    HostRouters view = await(store.read(tx -> new HostRoutersQuery().forHost(tx, host, "dvr_snat", List.of(router))));
    return view.getRouters(0);
  }
}

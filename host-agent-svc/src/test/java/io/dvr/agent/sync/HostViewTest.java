package io.dvr.agent.sync;

import static io.dvr.agent.sync.SyncTesting.HOST;
import static io.dvr.agent.sync.SyncTesting.arp;
import static io.dvr.agent.sync.SyncTesting.on;
import static io.dvr.agent.sync.SyncTesting.reply;
import static io.dvr.agent.sync.SyncTesting.router;
import static io.dvr.agent.sync.SyncTesting.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.agent.render.HostParts;
import io.dvr.agent.sync.HostView.Patch;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.ArpUpdate;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.HostPeer;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.TunnelEndpoint;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class HostViewTest {
  private SyncContext ctx;
  private HostView view;

  @BeforeEach
  void setUp(Vertx vertx) {
    ctx = SyncTesting.context(vertx);
    view = new HostView(ctx, HOST, "dvr");
  }

  private static DvrHostMac mac(String host, String mac) {
    return DvrHostMac.newBuilder().setHost(host).setMacAddress(mac).build();
  }

  private List<String> routerIds(HostRouters wanted) {
    return wanted.getRoutersList().stream().map(RouterInfo::getRouterId).toList();
  }

  @Test
  @DisplayName("nothing is wanted before the first full sync and the DVR MAC; a reply without a MAC keeps the held one")
  void wantedOnlyWhenComplete() {
    run(ctx, () -> view.take(FetchScope.routers(List.of("r1")), reply(router("r1"))));
    assertThat(on(ctx, view::completeness)).isEqualTo(HostView.Completeness.PARTIAL);
    assertThat(on(ctx, view::wanted)).as("a partial view").isEmpty();
    run(ctx, () -> view.take(FetchScope.all(), reply(router("r1"), router("r2"))));
    assertThat(on(ctx, view::completeness)).isEqualTo(HostView.Completeness.COMPLETE);
    assertThat(on(ctx, view::wanted)).as("no DVR MAC yet").isEmpty();
    run(ctx, () -> view.takeDvrMac("fa:16:3f:00:00:01"));
    run(ctx, () -> view.take(FetchScope.routers(List.of("r2")), reply(router("r2"))));
    HostRouters wanted = on(ctx, view::wanted).orElseThrow();
    assertThat(wanted.getDvrMac()).isEqualTo("fa:16:3f:00:00:01");
    assertThat(wanted.getHost()).isEqualTo(HOST);
    assertThat(routerIds(wanted)).containsExactly("r1", "r2");
  }

  @Test
  @DisplayName("a full sync drops the routers it no longer carries; a router fetch drops only the asked routers it lacks")
  void repliesReplaceWhatTheyCover() {
    run(ctx, () -> view.takeDvrMac("fa:16:3f:00:00:01"));
    run(ctx, () -> view.take(FetchScope.all(), reply(router("r1"), router("r2"), router("r3"))));
    run(ctx, () -> view.take(FetchScope.routers(List.of("r1", "r2")), reply(router("r1", "10.0.0.5"))));
    HostRouters wanted = on(ctx, view::wanted).orElseThrow();
    assertThat(routerIds(wanted)).as("r2 asked and not carried; r3 not asked").containsExactly("r1", "r3");
    assertThat(wanted.getRouters(0).getArpEntriesList()).containsExactly(arp("10.0.0.5"));
    run(ctx, () -> view.take(FetchScope.all(), reply(router("r3"))));
    assertThat(routerIds(on(ctx, view::wanted).orElseThrow())).containsExactly("r3");
  }

  @Test
  @DisplayName("an ARP update is patched into a held router by IP address, and refused for a router not held")
  void arpPatches() {
    run(ctx, () -> view.takeDvrMac("fa:16:3f:00:00:01"));
    run(ctx, () -> view.take(FetchScope.all(), reply(router("r1", "10.0.0.5", "10.0.0.6"))));
    ArpEntry moved = ArpEntry.newBuilder().setIpAddress("10.0.0.6").setMacAddress("fa:16:3e:aa:aa:aa").build();
    ArpUpdate update = ArpUpdate.newBuilder().setRouterId("r1").addRemove(arp("10.0.0.5")).addAdd(moved)
        .addAdd(arp("10.0.0.7")).build();
    assertThat(on(ctx, () -> view.patchArp(update))).isEqualTo(Patch.PATCHED);
    assertThat(on(ctx, view::wanted).orElseThrow().getRouters(0).getArpEntriesList())
        .containsExactly(moved, arp("10.0.0.7"));
    assertThat(on(ctx, () -> view.patchArp(ArpUpdate.newBuilder().setRouterId("r9").addAdd(arp("10.0.0.8")).build())))
        .isEqualTo(Patch.NOT_HELD);
    assertThat(on(ctx, view::routerIds)).containsExactly("r1");
  }

  @Test
  @DisplayName("peer DVR MACs are patched after the first full sync only, without the host's own, and only when they changed")
  void peerMacPatches() {
    List<DvrHostMac> announced = List.of(mac("compute2", "fa:16:3f:00:00:02"), mac(HOST, "fa:16:3f:00:00:01"),
        mac("compute0", "fa:16:3f:00:00:03"));
    assertThat(on(ctx, () -> view.patchPeerMacs(announced))).isEqualTo(Patch.NOT_COMPLETE);
    run(ctx, () -> view.takeDvrMac("fa:16:3f:00:00:01"));
    run(ctx, () -> view.take(FetchScope.all(), reply()));
    assertThat(on(ctx, () -> view.patchPeerMacs(announced))).isEqualTo(Patch.PATCHED);
    assertThat(HostParts.peerMacs(on(ctx, view::wanted).orElseThrow()))
        .containsExactly(mac("compute0", "fa:16:3f:00:00:03"), mac("compute2", "fa:16:3f:00:00:02"));
    assertThat(on(ctx, () -> view.patchPeerMacs(List.of(announced.get(2), announced.get(0)))))
        .as("the same peers in another order").isEqualTo(Patch.UNCHANGED);
  }

  @Test
  @DisplayName("a peer's tunnel endpoint is patched in, changed and removed; the host's own is ignored")
  void tunnelEndpointPatches() {
    TunnelEndpoint compute2 = TunnelEndpoint.newBuilder().setHost("compute2").setTunnelIp("172.31.0.12").build();
    assertThat(on(ctx, () -> view.patchTunnelEndpoint(compute2))).isEqualTo(Patch.NOT_COMPLETE);
    run(ctx, () -> view.takeDvrMac("fa:16:3f:00:00:01"));
    run(ctx, () -> view.take(FetchScope.all(), reply()));
    assertThat(on(ctx, () -> view.patchTunnelEndpoint(compute2))).isEqualTo(Patch.PATCHED);
    assertThat(on(ctx, () -> view.patchTunnelEndpoint(compute2))).isEqualTo(Patch.UNCHANGED);
    assertThat(HostParts.tunnelEndpoints(on(ctx, view::wanted).orElseThrow())).containsEntry("compute2", "172.31.0.12");
    assertThat(on(ctx, () -> view.patchTunnelEndpoint(compute2.toBuilder().setTunnelIp("").build())))
        .isEqualTo(Patch.PATCHED);
    assertThat(HostParts.tunnelEndpoints(on(ctx, view::wanted).orElseThrow())).isEmpty();
    TunnelEndpoint self = TunnelEndpoint.newBuilder().setHost(HOST).setTunnelIp("172.31.0.11").build();
    assertThat(on(ctx, () -> view.patchTunnelEndpoint(self))).isEqualTo(Patch.UNCHANGED);
  }

  private static HostRouters replyAt(long generation, RouterInfo... routers) {
    return SyncTesting.reply(routers).toBuilder().setGeneration(generation).build();
  }

  private static HostPeer peer(String host, String mac, String tunnelIp) {
    return HostPeer.newBuilder().setHost(host).setDvrMac(mac).setTunnelIp(tunnelIp).build();
  }

  @Test
  @DisplayName("a reply older than what the view holds for its routers or host part does not overwrite them; equal and newer ones do")
  void staleRepliesAreDropped() {
    run(ctx, () -> view.takeDvrMac("fa:16:3f:00:00:01"));
    run(ctx, () -> view.take(FetchScope.all(), replyAt(5, router("r1", "10.0.0.5"), router("r2")).toBuilder()
        .addPeers(peer("compute2", "fa:16:3f:00:00:02", "172.31.0.12")).build()));

    run(ctx, () -> view.take(FetchScope.routers(List.of("r1")), replyAt(4, router("r1", "10.0.0.9"))));
    HostRouters wanted = on(ctx, view::wanted).orElseThrow();
    assertThat(wanted.getRouters(0).getArpEntriesList()).as("r1 as generation 5 had it").containsExactly(arp("10.0.0.5"));
    assertThat(wanted.getPeersList()).as("the host part of generation 5").hasSize(1);
    run(ctx, () -> view.take(FetchScope.routers(List.of("r3")), replyAt(4, router("r3"))));
    assertThat(routerIds(on(ctx, view::wanted).orElseThrow())).as("the full sync of 5 had no r3")
        .containsExactly("r1", "r2");

    run(ctx, () -> view.take(FetchScope.all(), replyAt(6, router("r1", "10.0.0.5"))));
    run(ctx, () -> view.take(FetchScope.routers(List.of("r2")), replyAt(5, router("r2"))));
    assertThat(routerIds(on(ctx, view::wanted).orElseThrow())).as("r2, dropped at 6, is not brought back by 5")
        .containsExactly("r1");

    run(ctx, () -> view.take(FetchScope.routers(List.of("r1")), replyAt(6, router("r1", "10.0.0.6"))));
    assertThat(on(ctx, view::wanted).orElseThrow().getRouters(0).getArpEntriesList()).as("an equal generation is taken")
        .containsExactly(arp("10.0.0.6"));

    run(ctx, () -> view.take(FetchScope.routers(List.of("r1")), replyAt(8, router("r1", "10.0.0.8")).toBuilder()
        .addPeers(peer("compute3", "fa:16:3f:00:00:03", "")).build()));
    run(ctx, () -> view.take(FetchScope.routers(List.of("r4")), replyAt(7, router("r4"))));
    wanted = on(ctx, view::wanted).orElseThrow();
    assertThat(routerIds(wanted)).as("r4 was last taken at 6, the full sync: 7 is newer for it").containsExactly("r1", "r4");
    assertThat(wanted.getPeersList()).as("the host part stays the one of generation 8")
        .containsExactly(peer("compute3", "fa:16:3f:00:00:03", ""));

    assertThat(on(ctx, () -> view.patchTunnelEndpoint(TunnelEndpoint.newBuilder().setHost("compute3")
        .setTunnelIp("172.31.0.13").build()))).as("patches still apply").isEqualTo(Patch.PATCHED);
    assertThat(on(ctx, view::wanted).orElseThrow().getPeersList())
        .containsExactly(peer("compute3", "fa:16:3f:00:00:03", "172.31.0.13"));
  }

  @Test
  @DisplayName("peer announcements patch one peer list: a DVR MAC and a tunnel endpoint of one host make one peer")
  void peersAreOneList() {
    run(ctx, () -> view.takeDvrMac("fa:16:3f:00:00:01"));
    run(ctx, () -> view.take(FetchScope.all(), replyAt(1).toBuilder()
        .addPeers(peer("compute2", "fa:16:3f:00:00:02", "172.31.0.12")).build()));
    assertThat(on(ctx, () -> view.patchTunnelEndpoint(TunnelEndpoint.newBuilder().setHost("compute3")
        .setTunnelIp("172.31.0.13").build()))).isEqualTo(Patch.PATCHED);
    assertThat(on(ctx, () -> view.patchPeerMacs(List.of(mac("compute3", "fa:16:3f:00:00:03"), mac(HOST, "fa:16:3f:00:00:01")))))
        .isEqualTo(Patch.PATCHED);
    assertThat(on(ctx, view::wanted).orElseThrow().getPeersList()).as("compute2 lost its MAC, keeps its endpoint")
        .containsExactly(peer("compute2", "", "172.31.0.12"), peer("compute3", "fa:16:3f:00:00:03", "172.31.0.13"));
    assertThat(on(ctx, () -> view.patchTunnelEndpoint(TunnelEndpoint.newBuilder().setHost("compute2").build())))
        .isEqualTo(Patch.PATCHED);
    assertThat(on(ctx, view::wanted).orElseThrow().getPeersList()).as("a peer with neither is gone")
        .containsExactly(peer("compute3", "fa:16:3f:00:00:03", "172.31.0.13"));
  }

  @Test
  @DisplayName("the view refuses to be used off its context, naming the thread")
  void ownedByItsContext() {
    assertThatThrownBy(view::routerIds).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("host " + HOST).hasMessageContaining(Thread.currentThread().getName())
        .hasMessageContaining("vert.x-eventloop-thread");
    assertThatThrownBy(() -> view.take(FetchScope.all(), reply())).isInstanceOf(IllegalStateException.class);
  }
}

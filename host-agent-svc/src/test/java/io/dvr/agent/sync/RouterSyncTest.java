package io.dvr.agent.sync;

import static io.dvr.agent.sync.SyncTesting.HOST;
import static io.dvr.agent.sync.SyncTesting.arp;
import static io.dvr.agent.sync.SyncTesting.await;
import static io.dvr.agent.sync.SyncTesting.reply;
import static io.dvr.agent.sync.SyncTesting.router;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import io.dvr.agent.render.HostParts;
import io.dvr.agent.sync.SyncTesting.Answers;
import io.dvr.agent.sync.SyncTesting.StandInDataplane;
import io.dvr.common.Metrics;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.AllocateDvrMacRequest;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.ArpUpdate;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.FloatingIpChange;
import io.dvr.proto.v1.FloatingIpInfo;
import io.dvr.proto.v1.HostPort;
import io.dvr.proto.v1.HostPortIp;
import io.dvr.proto.v1.PortChange;
import io.dvr.proto.v1.RouterPortInfo;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.HostApplied;
import io.dvr.proto.v1.HostAppliedAck;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.ListDvrMacsResponse;
import io.dvr.proto.v1.PortsWired;
import io.dvr.proto.v1.PortsWiredAck;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RoutersChanged;
import io.dvr.proto.v1.TunnelEndpoint;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole sync on a local event bus, with the control plane's answers given by hand and a
 * stand-in dataplane: what it fetches, patches and applies for each event.
 */
@ExtendWith(VertxExtension.class)
class RouterSyncTest {
  private static final String MAC = "fa:16:3f:00:00:01";
  private static final PortsWiredAck ACK = PortsWiredAck.getDefaultInstance();

  private final Answers<AllocateDvrMacRequest, DvrHostMac> allocator = new Answers<>();
  private final Answers<GetHostRoutersRequest, HostRouters> scheduler = new Answers<>();
  private final Answers<PortsWired, PortsWiredAck> portStatus = new Answers<>();
  private final Answers<HostApplied, HostAppliedAck> appliedState = new Answers<>();
  private final StandInDataplane dataplane = new StandInDataplane();
  private Vertx vertx;
  private RouterSync sync;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    Bus.serve(vertx, EventAddresses.ALLOCATE_DVR_MAC, AllocateDvrMacRequest.parser(), allocator);
    Bus.serve(vertx, EventAddresses.GET_HOST_ROUTERS, GetHostRoutersRequest.parser(), scheduler);
    Bus.serve(vertx, EventAddresses.PORTS_WIRED, PortsWired.parser(), portStatus);
    Bus.serve(vertx, EventAddresses.HOST_APPLIED, HostApplied.parser(), appliedState);
    // Short retry delays; the periodic resync never comes during a test.
    sync = new RouterSync(vertx, HOST, "dvr", dataplane, new RouterSync.Timings(5_000, 5, 5, 5, Backoff.of(5, 50)));
  }

  private static DvrHostMac mac(String host, String mac) {
    return DvrHostMac.newBuilder().setHost(host).setMacAddress(mac).build();
  }

  private void publish(String address, Message message) {
    Bus.publish(vertx, address, message);
  }

  /** What the control plane sends to this host alone (router changes, ARP updates). */
  private void send(String address, Message message) {
    Bus.send(vertx, address, message);
  }

  private void routersChanged(String... ids) {
    send(EventAddresses.routersChanged(HOST), RoutersChanged.newBuilder().setHost(HOST).addAllRouterIds(List.of(ids)).build());
  }

  /** Waits until the sync has taken everything sent to it so far. */
  private void settle() {
    await(sync.settled());
  }

  private static List<String> routerIds(HostRouters applied) {
    return applied.getRoutersList().stream().map(RouterInfo::getRouterId).toList();
  }

  /** Starts the sync through its DVR MAC and first full sync, answering the first port report. */
  private HostRouters startSynced(RouterInfo... routers) {
    sync.start(600_000);
    allocator.next().reply().complete(mac(HOST, MAC));
    var full = scheduler.next();
    assertThat(full.request().getRouterIdsList()).isEmpty();
    full.reply().complete(reply(routers));
    HostRouters applied = dataplane.nextApply();
    portStatus.next().reply().complete(ACK);
    settle();
    return applied;
  }

  @Test
  @DisplayName("it listens before the first fetch, and applies nothing until the DVR MAC and the first full sync are held")
  void firstFullSync() {
    double appliesBefore = applyCount("full");
    double operationsBefore = meterValue("dvr.agent.apply.operations");
    sync.start(600_000);
    var macCall = allocator.next();
    assertThat(macCall.request().getHost()).isEqualTo(HOST);
    routersChanged("r1");
    var early = scheduler.next();
    assertThat(early.request().getRouterIdsList()).as("listening already").containsExactly("r1");
    early.reply().complete(reply(router("r1")));
    macCall.reply().complete(mac(HOST, MAC));
    var full = scheduler.next();
    assertThat(full.request().getRouterIdsList()).as("a full sync").isEmpty();
    assertThat(dataplane.noApply()).as("nothing applied before the first full sync").isTrue();
    assertThat(sync.syncedOnce()).isFalse();
    dataplane.thenSucceed(12);
    full.reply().complete(reply(router("r1"), router("r2")));
    HostRouters applied = dataplane.nextApply();
    assertThat(routerIds(applied)).containsExactly("r1", "r2");
    assertThat(applied.getDvrMac()).isEqualTo(MAC);
    settle();
    assertThat(sync.syncedOnce()).isTrue();
    assertThat(sync.lastApplied()).isEqualTo(12);
    assertThat(sync.operationsSinceStart()).isEqualTo(12);
    assertThat(applyCount("full") - appliesBefore).as("dvr_agent_apply_seconds_count{scope=full}").isEqualTo(1);
    assertThat(meterValue("dvr.agent.apply.operations") - operationsBefore).as("dvr_agent_apply_operations_total")
        .isEqualTo(12);
  }

  private static double applyCount(String scope) {
    var timer = Metrics.service(Metrics.hostAgent(HOST)).find("dvr.agent.apply").tags("host", HOST, "scope", scope).timer();
    return timer == null ? 0 : timer.count();
  }

  private static double meterValue(String name) {
    var counter = Metrics.service(Metrics.hostAgent(HOST)).find(name).tags("host", HOST).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  @DisplayName("the DVR MAC is asked for again until it is allocated, then the first full sync runs")
  void macAllocationRetried() {
    sync.start(600_000);
    allocator.next().reply().fail("mac-allocator-svc away");
    allocator.next().reply().fail("mac-allocator-svc away");
    allocator.next().reply().complete(mac(HOST, MAC));
    assertThat(scheduler.next().request().getRouterIdsList()).isEmpty();
  }

  @Test
  @DisplayName("an ARP update for a held router is patched and applied without a fetch")
  void arpUpdatePatched() {
    startSynced(router("r1", "10.0.0.5"));
    send(EventAddresses.arpUpdate(HOST), ArpUpdate.newBuilder().setRouterId("r1").addAdd(arp("10.0.0.6")).build());
    HostRouters applied = dataplane.nextApply();
    assertThat(applied.getRouters(0).getArpEntriesList()).containsExactly(arp("10.0.0.5"), arp("10.0.0.6"));
    assertThat(scheduler.none()).as("no fetch").isTrue();
  }

  @Test
  @DisplayName("an ARP update for a router being fetched is applied at once and fetched again after that fetch;"
      + " one for an unknown router is fetched")
  void arpUpdateRefetched() {
    startSynced(router("r1", "10.0.0.5"));
    routersChanged("r1");
    var onItsWay = scheduler.next();
    send(EventAddresses.arpUpdate(HOST), ArpUpdate.newBuilder().setRouterId("r1").addAdd(arp("10.0.0.6")).build());
    assertThat(dataplane.nextApply().getRouters(0).getArpEntriesList()).as("patched and applied, not waiting for the fetch")
        .containsExactly(arp("10.0.0.5"), arp("10.0.0.6"));
    settle();
    assertThat(scheduler.none()).as("one fetch at a time").isTrue();
    onItsWay.reply().complete(reply(router("r1", "10.0.0.5")));
    assertThat(dataplane.nextApply().getRouters(0).getArpEntriesList()).as("the fetched table, unpatched")
        .containsExactly(arp("10.0.0.5"));
    var again = scheduler.next();
    assertThat(again.request().getRouterIdsList()).containsExactly("r1");
    again.reply().complete(reply(router("r1", "10.0.0.5", "10.0.0.6")));
    assertThat(dataplane.nextApply().getRouters(0).getArpEntriesList()).hasSize(2);

    send(EventAddresses.arpUpdate(HOST), ArpUpdate.newBuilder().setRouterId("r9").addAdd(arp("10.0.9.5")).build());
    assertThat(scheduler.next().request().getRouterIdsList()).containsExactly("r9");
  }

  @Test
  @DisplayName("an ARP update for a router being fetched whose reply holds what it said: not fetched again;"
      + " an add then a remove of the same address heard meanwhile and a reply still holding it: fetched again")
  void arpUpdateHeldByTheReplyNotRefetched() {
    startSynced(router("r1", "10.0.0.5"));
    routersChanged("r1");
    var onItsWay = scheduler.next();
    send(EventAddresses.arpUpdate(HOST), ArpUpdate.newBuilder().setRouterId("r1").addAdd(arp("10.0.0.6")).build());
    assertThat(dataplane.nextApply().getRouters(0).getArpEntriesList()).containsExactly(arp("10.0.0.5"), arp("10.0.0.6"));
    onItsWay.reply().complete(reply(router("r1", "10.0.0.5", "10.0.0.6")));
    settle();
    assertThat(scheduler.none()).as("the reply was read after the update: one fetch").isTrue();

    routersChanged("r1");
    var second = scheduler.next();
    send(EventAddresses.arpUpdate(HOST), ArpUpdate.newBuilder().setRouterId("r1").addAdd(arp("10.0.0.7")).build());
    send(EventAddresses.arpUpdate(HOST), ArpUpdate.newBuilder().setRouterId("r1").addRemove(arp("10.0.0.7")).build());
    second.reply().complete(reply(router("r1", "10.0.0.5", "10.0.0.6", "10.0.0.7")));
    var again = scheduler.next();
    assertThat(again.request().getRouterIdsList()).as("the reply holds an address removed meanwhile").containsExactly("r1");
    again.reply().complete(reply(router("r1", "10.0.0.5", "10.0.0.6")));
    settle();
    assertThat(scheduler.none()).isTrue();
  }

  /** A router with an interface on subnet s1 (10.0.0.0/24, network n1, VNI 77, MTU 1450), naming these local ports. */
  private static RouterInfo onSubnet(String id, String... localPorts) {
    return router(id).toBuilder().addInterfaces(RouterPortInfo.newBuilder().setPortId("qr-" + id)
        .setMacAddress("fa:16:3e:00:01:01").setIpAddress("10.0.0.1").setCidr("10.0.0.0/24").setSubnetId("s1")
        .setNetworkId("n1").setSegmentationId(77).setMtu(1450)).addAllLocalPortIds(List.of(localPorts)).build();
  }

  /** A VM port on s1 as a fetch holds it. */
  private static HostPort vm(String id, String ip) {
    return HostPort.newBuilder().setPortId(id).setMacAddress("fa:16:3e:00:02:" + ip.substring(ip.lastIndexOf('.') + 1))
        .setNetworkId("n1").setSegmentationId(77).setMtu(1450).setDeviceOwner("compute:nova").setStatus("DOWN")
        .addFixedIps(HostPortIp.newBuilder().setSubnetId("s1").setIpAddress(ip).setCidr("10.0.0.0/24")).build();
  }

  /** The VM port's entry in the ARP table of a router on s1, as arp-svc has it. */
  private static ArpEntry arpOf(HostPort port) {
    return ArpEntry.newBuilder().setIpAddress(port.getFixedIps(0).getIpAddress()).setMacAddress(port.getMacAddress())
        .setSubnetId("s1").setPortId(port.getPortId()).build();
  }

  /** The change of a VM port bound here, as scheduler-svc tells it (no CIDR, VNI or MTU). */
  private static PortChange boundHere(String id, long sequence, String ip) {
    HostPort port = vm(id, ip);
    return PortChange.newBuilder().setPortId(id).setSequence(sequence).setBoundHere(true)
        .setMacAddress(port.getMacAddress()).setNetworkId("n1").setDeviceOwner("compute:nova").setStatus("DOWN")
        .addFixedIps(HostPortIp.newBuilder().setSubnetId("s1").setIpAddress(ip)).build();
  }

  private static PortChange gone(String id, long sequence) {
    return PortChange.newBuilder().setPortId(id).setSequence(sequence).build();
  }

  private void portsChanged(String router, PortChange... ports) {
    send(EventAddresses.routersChanged(HOST), RoutersChanged.newBuilder().setHost(HOST).addRouterIds(router)
        .addAllPorts(List.of(ports)).build());
  }

  private static HostRouters replyWithPorts(List<HostPort> ports, RouterInfo... routers) {
    return reply(routers).toBuilder().addAllPorts(ports).build();
  }

  private static double portChanges(String outcome) {
    var counter = Metrics.service(Metrics.hostAgent(HOST)).find("dvr.agent.port.changes").tags("host", HOST, "outcome", outcome)
        .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  @DisplayName("a VM port bound here, told with its router's change, is applied before the router's fetch answers,"
      + " as that fetch holds it; its removal the same, and a deleted port's ARP entry goes with it")
  void portChangeAppliedBeforeItsFetch() {
    double confirmed = portChanges("confirmed");
    double corrected = portChanges("corrected");
    startSynced(onSubnet("r1"));
    portsChanged("r1", boundHere("p1", 5, "10.0.0.11"));
    HostRouters ahead = dataplane.nextApply();
    assertThat(ahead.getPortsList()).as("the subnet's CIDR, the network's VNI and MTU read from the router's interface")
        .containsExactly(vm("p1", "10.0.0.11"));
    assertThat(ahead.getRouters(0).getLocalPortIdsList()).containsExactly("p1");
    assertThat(ahead.getRouters(0).getArpEntriesList()).as("its neighbour comes with its flows")
        .containsExactly(arpOf(vm("p1", "10.0.0.11")));
    var fetch = scheduler.next();
    assertThat(fetch.request().getRouterIdsList()).as("the fetch still follows").containsExactly("r1");
    RouterInfo fetched = onSubnet("r1", "p1").toBuilder().addArpEntries(arpOf(vm("p1", "10.0.0.11"))).build();
    fetch.reply().complete(replyWithPorts(List.of(vm("p1", "10.0.0.11")), fetched));
    assertThat(dataplane.nextApply()).as("the fetch holds what the change told").isEqualTo(ahead);
    settle();
    assertThat(portChanges("confirmed") - confirmed).isEqualTo(1);

    portsChanged("r1", gone("p1", 6));
    HostRouters removed = dataplane.nextApply();
    assertThat(removed.getPortsList()).isEmpty();
    assertThat(removed.getRouters(0).getLocalPortIdsList()).isEmpty();
    assertThat(removed.getRouters(0).getArpEntriesList()).as("a port bound elsewhere keeps its entry; arp-svc removes a deleted one's")
        .containsExactly(arpOf(vm("p1", "10.0.0.11")));
    scheduler.next().reply().complete(replyWithPorts(List.of(), onSubnet("r1")));
    assertThat(dataplane.nextApply()).isEqualTo(removed.toBuilder().setRouters(0, onSubnet("r1")).build());

    // Bound again, then deleted: its entry leaves the ARP table with its flows.
    portsChanged("r1", boundHere("p1", 7, "10.0.0.11"));
    assertThat(dataplane.nextApply().getRouters(0).getLocalPortIdsList()).containsExactly("p1");
    scheduler.next().reply().complete(replyWithPorts(List.of(vm("p1", "10.0.0.11")), fetched));
    dataplane.nextApply();
    portsChanged("r1", gone("p1", 8).toBuilder().setDeleted(true).build());
    HostRouters deleted = dataplane.nextApply();
    assertThat(deleted.getPortsList()).isEmpty();
    assertThat(deleted.getRouters(0)).isEqualTo(onSubnet("r1"));
    scheduler.next().reply().complete(replyWithPorts(List.of(), onSubnet("r1")));
    assertThat(dataplane.nextApply()).isEqualTo(deleted);
    settle();
    assertThat(portChanges("confirmed") - confirmed).isEqualTo(4);
    assertThat(portChanges("corrected") - corrected).isZero();
  }

  @Test
  @DisplayName("a port change heard while another fetch is on its way is taken again after that fetch's reply,"
      + " read before it; a fetch that holds the port otherwise is counted as a correction")
  void portChangeTakenAgainAfterAnOlderReply() {
    double corrected = portChanges("corrected");
    startSynced(onSubnet("r1"));
    routersChanged("r1");
    var onItsWay = scheduler.next();
    portsChanged("r1", boundHere("p1", 5, "10.0.0.11"));
    assertThat(dataplane.nextApply().getPortsList()).containsExactly(vm("p1", "10.0.0.11"));
    onItsWay.reply().complete(replyWithPorts(List.of(), onSubnet("r1")));
    HostRouters afterOlder = dataplane.nextApply();
    assertThat(afterOlder.getPortsList()).as("the port does not go with a reply read before it")
        .containsExactly(vm("p1", "10.0.0.11"));
    assertThat(afterOlder.getRouters(0).getLocalPortIdsList()).containsExactly("p1");
    var next = scheduler.next();
    assertThat(next.request().getRouterIdsList()).containsExactly("r1");
    // Read after the change: the control plane has the port on another address (a later change not heard yet).
    next.reply().complete(replyWithPorts(List.of(vm("p1", "10.0.0.12")), onSubnet("r1", "p1")));
    assertThat(dataplane.nextApply().getPortsList()).as("the fetch has the last word").containsExactly(vm("p1", "10.0.0.12"));
    settle();
    assertThat(portChanges("corrected") - corrected).isEqualTo(1);
  }

  @Test
  @DisplayName("a port change the view cannot tell is left to the fetch (a floating IP on the port, a subnet no held"
      + " router is on, a port that is not a VM's); a change older than one taken is dropped")
  void portChangesLeftToTheFetch() {
    double fetched = portChanges("fetched");
    RouterInfo withFloatingIp = onSubnet("r1").toBuilder().addFloatingIps(FloatingIpInfo.newBuilder()
        .setFloatingIpId("f1").setPortId("p9").setFixedIpAddress("10.0.0.19").setFloatingIpAddress("172.24.4.9")).build();
    startSynced(withFloatingIp);
    PortChange otherSubnet = boundHere("p2", 3, "10.0.0.12").toBuilder()
        .setFixedIps(0, HostPortIp.newBuilder().setSubnetId("s2").setIpAddress("10.9.0.12")).build();
    PortChange notAVm = boundHere("p3", 4, "10.0.0.13").toBuilder().setDeviceOwner("network:dhcp").build();
    portsChanged("r1", boundHere("p9", 2, "10.0.0.19"), otherSubnet, notAVm);
    var fetch = scheduler.next();
    settle();
    assertThat(dataplane.noApply()).as("nothing applied before the fetch").isTrue();
    assertThat(portChanges("fetched") - fetched).isEqualTo(3);
    fetch.reply().complete(reply(withFloatingIp));
    dataplane.nextApply();

    portsChanged("r1", boundHere("p1", 7, "10.0.0.11"));
    assertThat(dataplane.nextApply().getPortsList()).containsExactly(vm("p1", "10.0.0.11"));
    portsChanged("r1", gone("p1", 6));
    scheduler.next().reply().complete(replyWithPorts(List.of(vm("p1", "10.0.0.11")), onSubnet("r1", "p1")));
    assertThat(dataplane.nextApply().getPortsList()).as("the older change was dropped").containsExactly(vm("p1", "10.0.0.11"));
  }

  private static FloatingIpInfo floatingIp(String id, String address, String port, String fixed) {
    return FloatingIpInfo.newBuilder().setFloatingIpId(id).setFloatingIpAddress(address).setFixedIpAddress(fixed)
        .setPortId(port).setFloatingNetworkId("ext").build();
  }

  /** The router on s1 with its fg- gateway here and these floating IPs (none: no gateway, as a fetch has it). */
  private static RouterInfo withFloatingIps(FloatingIpInfo... fips) {
    RouterInfo.Builder r = onSubnet("r1", "p1", "p2").toBuilder().addAllFloatingIps(List.of(fips));
    if (fips.length > 0) {
      r.setFipAgentGateway(RouterPortInfo.newBuilder().setPortId("fg1").setMacAddress("fa:16:3e:00:03:01")
          .setIpAddress("172.24.4.3").setCidr("172.24.4.0/24").setSubnetId("ext-sub").setNetworkId("ext")
          .setGatewayIp("172.24.4.1"));
    }
    return r.build();
  }

  private void floatingIpsChanged(FloatingIpChange... changes) {
    send(EventAddresses.routersChanged(HOST), RoutersChanged.newBuilder().setHost(HOST).addRouterIds("r1")
        .addAllFloatingIps(List.of(changes)).build());
  }

  private static FloatingIpChange onPortHere(FloatingIpInfo fip, long sequence) {
    return FloatingIpChange.newBuilder().setFloatingIpId(fip.getFloatingIpId()).setSequence(sequence).setHere(fip)
        .setRouterId("r1").build();
  }

  private static FloatingIpChange notHere(String id, long sequence) {
    return FloatingIpChange.newBuilder().setFloatingIpId(id).setSequence(sequence).build();
  }

  private static double floatingIpChanges(String outcome) {
    var counter = Metrics.service(Metrics.hostAgent(HOST)).find("dvr.agent.floating.ip.changes")
        .tags("host", HOST, "outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  @DisplayName("a floating IP on a port bound here, told with its router's change, is applied before the fetch"
      + " answers, as that fetch holds it; taken off, the router's last one takes its fg- gateway from the view;"
      + " one whose router has no fg- gateway here is left to the fetch")
  void floatingIpChangeAppliedBeforeItsFetch() {
    double confirmed = floatingIpChanges("confirmed");
    double fetchedBefore = floatingIpChanges("fetched");
    List<HostPort> ports = List.of(vm("p1", "10.0.0.11"), vm("p2", "10.0.0.12"));
    FloatingIpInfo f1 = floatingIp("f1", "172.24.4.10", "p1", "10.0.0.11");
    FloatingIpInfo f2 = floatingIp("f2", "172.24.4.9", "p2", "10.0.0.12");
    sync.start(600_000);
    allocator.next().reply().complete(mac(HOST, MAC));
    scheduler.next().reply().complete(replyWithPorts(ports, withFloatingIps(f1)));
    dataplane.nextApply();
    portStatus.next().reply().complete(ACK);
    settle();

    floatingIpsChanged(onPortHere(f2, 3));
    HostRouters ahead = dataplane.nextApply();
    assertThat(ahead.getRouters(0).getFloatingIpsList()).as("ordered by address, as the fetch orders them")
        .containsExactly(f2, f1);
    scheduler.next().reply().complete(replyWithPorts(ports, withFloatingIps(f2, f1)));
    assertThat(dataplane.nextApply()).as("the fetch holds what the change told").isEqualTo(ahead);

    floatingIpsChanged(notHere("f1", 4), notHere("f2", 5));
    HostRouters off = dataplane.nextApply();
    assertThat(off.getRouters(0)).isEqualTo(withFloatingIps());
    scheduler.next().reply().complete(replyWithPorts(ports, withFloatingIps()));
    assertThat(dataplane.nextApply()).isEqualTo(off);
    settle();
    assertThat(floatingIpChanges("confirmed") - confirmed).isEqualTo(3);

    floatingIpsChanged(onPortHere(f1, 6));
    var fetch = scheduler.next();
    settle();
    assertThat(dataplane.noApply()).as("no fg- gateway here: nothing applied before the fetch").isTrue();
    assertThat(floatingIpChanges("fetched") - fetchedBefore).isEqualTo(1);
    fetch.reply().complete(replyWithPorts(ports, withFloatingIps(f1)));
    assertThat(dataplane.nextApply().getRouters(0).getFloatingIpsList()).containsExactly(f1);
  }

  @Test
  @DisplayName("routers changed during a fetch are fetched in one more fetch after it")
  void routersChangedDuringFetch() {
    startSynced(router("r1"));
    routersChanged("r1");
    var first = scheduler.next();
    routersChanged("r2");
    routersChanged("r3");
    settle();
    assertThat(scheduler.none()).isTrue();
    first.reply().complete(reply(router("r1")));
    assertThat(scheduler.next().request().getRouterIdsList()).containsExactly("r2", "r3");
  }

  @Test
  @DisplayName("a full sync asked for from another thread drops the routers the host no longer carries")
  void fullSyncDropsRouters() {
    startSynced(router("r1"), router("r2"));
    sync.resync();
    var full = scheduler.next();
    assertThat(full.request().getRouterIdsList()).isEmpty();
    full.reply().complete(reply(router("r2")));
    assertThat(routerIds(dataplane.nextApply())).containsExactly("r2");
  }

  @Test
  @DisplayName("a DVR MAC announcement is patched in; one that comes during a fetch asks for a full fetch after it")
  void dvrMacAnnouncement() {
    startSynced(router("r1"));
    publish(EventAddresses.DVR_MACS, ListDvrMacsResponse.newBuilder().addMacs(mac(HOST, MAC))
        .addMacs(mac("compute2", "fa:16:3f:00:00:02")).build());
    assertThat(HostParts.peerMacs(dataplane.nextApply())).containsExactly(mac("compute2", "fa:16:3f:00:00:02"));
    assertThat(scheduler.none()).isTrue();

    routersChanged("r1");
    var onItsWay = scheduler.next();
    publish(EventAddresses.DVR_MACS, ListDvrMacsResponse.newBuilder().addMacs(mac(HOST, MAC))
        .addMacs(mac("compute3", "fa:16:3f:00:00:03")).build());
    settle();
    onItsWay.reply().complete(reply(router("r1")));
    assertThat(scheduler.next().request().getRouterIdsList()).as("a full fetch").isEmpty();
  }

  @Test
  @DisplayName("a tunnel endpoint is patched in and removed; one that comes during a fetch asks for a full fetch after it")
  void tunnelEndpointAnnouncement() {
    startSynced(router("r1"));
    TunnelEndpoint compute2 = TunnelEndpoint.newBuilder().setHost("compute2").setTunnelIp("172.31.0.12").build();
    publish(EventAddresses.TUNNEL_ENDPOINTS, compute2);
    assertThat(HostParts.tunnelEndpoints(dataplane.nextApply())).containsExactly(Map.entry("compute2", "172.31.0.12"));
    settle();
    assertThat(sync.appliedTunnelEndpoints()).containsExactly(Map.entry("compute2", "172.31.0.12"));
    publish(EventAddresses.TUNNEL_ENDPOINTS, compute2.toBuilder().setTunnelIp("").build());
    assertThat(HostParts.tunnelEndpoints(dataplane.nextApply())).isEmpty();
    settle();
    assertThat(sync.appliedTunnelEndpoints()).isEmpty();
    assertThat(scheduler.none()).isTrue();

    routersChanged("r1");
    var onItsWay = scheduler.next();
    publish(EventAddresses.TUNNEL_ENDPOINTS, compute2);
    settle();
    onItsWay.reply().complete(reply(router("r1")));
    assertThat(scheduler.next().request().getRouterIdsList()).as("a full fetch").isEmpty();
  }

  @Test
  @DisplayName("the host changing under the agent, told from another thread, applies again")
  void hostChangedAppliesAgain() {
    HostRouters first = startSynced(router("r1"));
    dataplane.changeHost();
    assertThat(dataplane.nextApply()).isEqualTo(first);
    assertThat(dataplane.takePortsMoved()).as("applied as VM ports moved: the dataplane reads the ports").isEmpty();
  }

  @Test
  @DisplayName("a failed apply is retried on its own with backoff")
  void failedApplyRetried() {
    startSynced(router("r1"));
    dataplane.thenFail("device busy").thenFail("device busy");
    dataplane.changeHost();
    dataplane.nextApply();
    dataplane.nextApply();
    assertThat(routerIds(dataplane.nextApply())).as("the third try, on its own").containsExactly("r1");
  }

  @Test
  @DisplayName("after each apply the host reports the snapshot each router it applied was read from, and a failed"
      + " apply's error until an apply succeeds")
  void appliedStateReported() {
    sync.start(600_000);
    allocator.next().reply().complete(mac(HOST, MAC));
    scheduler.next().reply().complete(reply(router("r1"), router("r2")).toBuilder().setGeneration(100)
        .addInProgress(97).build());
    dataplane.nextApply();
    portStatus.next().reply().complete(ACK);
    var first = appliedState.next();
    assertThat(first.request().getHost()).isEqualTo(HOST);
    assertThat(first.request().getGeneration()).isEqualTo(100);
    assertThat(first.request().getInProgressList()).containsExactly(97L);
    assertThat(first.request().getRoutersList()).extracting(r -> r.getRouterId() + "@" + r.getGeneration()
        + r.getInProgressList()).containsExactly("r1@100[97]", "r2@100[97]");
    assertThat(first.request().hasAppliedAt()).isTrue();
    assertThat(first.request().getError()).isEmpty();
    first.reply().complete(HostAppliedAck.getDefaultInstance());

    // r2 alone is fetched again, from a later snapshot: only its generation moves.
    routersChanged("r2");
    scheduler.next().reply().complete(reply(router("r2", "10.0.0.5")).toBuilder().setGeneration(120).build());
    dataplane.nextApply();
    var second = appliedState.next();
    assertThat(second.request().getRoutersList()).extracting(r -> r.getRouterId() + "@" + r.getGeneration())
        .containsExactly("r1@100", "r2@120");
    second.reply().complete(HostAppliedAck.getDefaultInstance());

    dataplane.thenFail("RTNETLINK answers: Operation not permitted");
    routersChanged("r1");
    scheduler.next().reply().complete(reply(router("r1", "10.0.0.9")).toBuilder().setGeneration(130).build());
    dataplane.nextApply();
    var failed = appliedState.next();
    assertThat(failed.request().getError()).contains("RTNETLINK answers: Operation not permitted");
    assertThat(failed.request().hasFailedAt()).isTrue();
    assertThat(failed.request().getRoutersList()).as("what the host holds: the last successful apply")
        .extracting(r -> r.getRouterId() + "@" + r.getGeneration()).containsExactly("r1@100", "r2@120");
    failed.reply().complete(HostAppliedAck.getDefaultInstance());

    dataplane.nextApply(); // the retry, after the backoff, succeeds
    var recovered = appliedState.next();
    assertThat(recovered.request().getError()).isEmpty();
    assertThat(recovered.request().hasFailedAt()).isFalse();
    assertThat(recovered.request().getRoutersList()).extracting(r -> r.getRouterId() + "@" + r.getGeneration())
        .containsExactly("r1@130", "r2@120");
  }

  @Test
  @DisplayName("a router whose floating IP waits for this host's fg- port is reported at the snapshot before it, and"
      + " at the new one once the fg- port is in the view: a wait for the floating IP ends only when it works here")
  void floatingIpWaitingForItsGatewayPortIsNotReportedApplied() {
    sync.start(600_000);
    allocator.next().reply().complete(mac(HOST, MAC));
    scheduler.next().reply().complete(reply(router("r1")).toBuilder().setGeneration(100).build());
    dataplane.nextApply();
    portStatus.next().reply().complete(ACK);
    var first = appliedState.next();
    assertThat(first.request().getRoutersList()).extracting(r -> r.getRouterId() + "@" + r.getGeneration())
        .containsExactly("r1@100");
    first.reply().complete(HostAppliedAck.getDefaultInstance());

    io.dvr.proto.v1.FloatingIpInfo fip = io.dvr.proto.v1.FloatingIpInfo.newBuilder().setFloatingIpId("f1")
        .setFloatingIpAddress("172.24.4.10").setFixedIpAddress("10.0.0.5").setPortId("p1")
        .setFloatingNetworkId("ext").build();
    routersChanged("r1");
    scheduler.next().reply().complete(reply(router("r1").toBuilder().addFloatingIps(fip).build()).toBuilder()
        .setGeneration(120).build());
    dataplane.nextApply();
    var waiting = appliedState.next();
    assertThat(waiting.request().getGeneration()).as("the host's own part").isEqualTo(120);
    assertThat(waiting.request().getRoutersList()).as("r1's floating IP is not applied without fg-")
        .extracting(r -> r.getRouterId() + "@" + r.getGeneration()).containsExactly("r1@100");
    waiting.reply().complete(HostAppliedAck.getDefaultInstance());

    routersChanged("r1");
    scheduler.next().reply().complete(reply(router("r1").toBuilder().addFloatingIps(fip).setFipAgentGateway(
        io.dvr.proto.v1.RouterPortInfo.newBuilder().setPortId("fg1").setNetworkId("ext")).build()).toBuilder()
        .setGeneration(130).build());
    dataplane.nextApply();
    var whole = appliedState.next();
    assertThat(whole.request().getRoutersList()).extracting(r -> r.getRouterId() + "@" + r.getGeneration())
        .containsExactly("r1@130");
  }

  @Test
  @DisplayName("wired ports are reported after an apply only when they changed, and a failed report is sent again")
  void wiredPortsReported() {
    dataplane.wire(Set.of("p1"));
    sync.start(600_000);
    allocator.next().reply().complete(mac(HOST, MAC));
    scheduler.next().reply().complete(reply(router("r1")));
    dataplane.nextApply();
    var first = portStatus.next();
    assertThat(first.request().getPortIdsList()).containsExactly("p1");
    first.reply().complete(ACK);
    settle();

    dataplane.changeHost();
    dataplane.nextApply();
    settle();
    assertThat(portStatus.none()).as("unchanged: not reported").isTrue();

    dataplane.wire(Set.of("p1", "p2"));
    dataplane.changeHost();
    dataplane.nextApply();
    var failing = portStatus.next();
    assertThat(failing.request().getPortIdsList()).containsExactly("p1", "p2");
    failing.reply().fail("scheduler gone");
    assertThat(portStatus.next().request().getPortIdsList()).as("sent again").containsExactly("p1", "p2");
  }

  @Test
  @DisplayName("after stop nothing is applied, a late fetch reply is dropped and nothing listens any more")
  void nothingAfterStop() {
    startSynced(router("r1"));
    routersChanged("r2");
    var onItsWay = scheduler.next();
    await(sync.stop());
    onItsWay.reply().complete(reply(router("r2")));
    dataplane.changeHost();
    sync.resync();
    settle();
    assertThat(dataplane.noApply()).isTrue();
    assertThat(scheduler.none()).isTrue();
    assertThatThrownBy(() -> await(vertx.eventBus().request(EventAddresses.arpUpdate(HOST), "x")))
        .hasRootCauseInstanceOf(ReplyException.class)
        .rootCause().satisfies(e -> assertThat(((ReplyException) e).failureType()).isEqualTo(ReplyFailure.NO_HANDLERS));
  }

  @Test
  @DisplayName("the periodic resync fetches every router again on its own")
  void periodicResync() {
    sync.start(20);
    allocator.next().reply().complete(mac(HOST, MAC));
    scheduler.next().reply().complete(reply(router("r1")));
    dataplane.nextApply();
    assertThat(scheduler.next().request().getRouterIdsList()).as("a full sync, unasked").isEmpty();
  }

  @Test
  @DisplayName("a sync starts once")
  void startsOnce() {
    sync.start(600_000);
    assertThatThrownBy(() -> await(sync.start(600_000))).hasMessageContaining("already started");
  }
}

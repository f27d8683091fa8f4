package io.dvr.scheduler.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.model.DeviceOwners;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.HostPeer;
import io.dvr.proto.v1.HostPort;
import io.dvr.proto.v1.HostPortIp;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.store.EmbeddedStore;
import io.dvr.store.Store;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host's view on a small topology: two routers on two subnets of one network, a VM of
 * compute1 with an address on both, another on compute2, and router r1's SNAT on the network node.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("The host view lists the host's ports and peers once, routers name their ports, and the generation orders views")
class HostRoutersQueryTest {
  @TempDir static Path dataDir;
  static EmbeddedStore embedded;
  static Store store;
  static final HostRoutersQuery query = new HostRoutersQuery();
  static final UUID NET = UUID.randomUUID();
  static final UUID S1 = UUID.randomUUID();
  static final UUID S2 = UUID.randomUUID();
  static final UUID R1 = UUID.randomUUID();
  static final UUID R2 = UUID.randomUUID();
  static final UUID VM = UUID.randomUUID();
  static final UUID OTHER_VM = UUID.randomUUID();
  static final UUID SNAT_R1 = UUID.randomUUID();
  static final List<DvrHostMac> MACS = List.of(mac("compute1", "fa:16:3f:00:00:01"), mac("compute2", "fa:16:3f:00:00:02"),
      mac("network", "fa:16:3f:00:00:03"));

  @BeforeAll
  static void open() throws Exception {
    embedded = EmbeddedStore.open(dataDir.resolve("pg"));
    store = embedded.store;
    await(store.write(tx -> tx.query("INSERT INTO networks(id, name, segmentation_id, mtu) VALUES ($1, 'net', 1001, 1400)", NET)
        .compose(v -> tx.query("INSERT INTO subnets(id, network_id, name, cidr, gateway_ip) VALUES"
            + " ($1, $3, 's1', '10.1.0.0/24', '10.1.0.1'), ($2, $3, 's2', '10.2.0.0/24', '10.2.0.1')", S1, S2, NET))
        .compose(v -> tx.query("INSERT INTO routers(id, name) VALUES ($1, 'r1'), ($2, 'r2')", R1, R2))
        .compose(v -> tx.query("INSERT INTO router_snat_bindings(router_id, host) VALUES ($1, 'network')", R1))
        .compose(v -> iface(tx, R1, S1, "10.1.0.1", "fa:16:3e:00:01:01", SNAT_R1, "10.1.0.3"))
        .compose(v -> iface(tx, R2, S2, "10.2.0.1", "fa:16:3e:00:02:01", null, null))
        .compose(v -> vm(tx, VM, "compute1", "fa:16:3e:00:00:05", Map.of(S1, "10.1.0.5", S2, "10.2.0.5")))
        .compose(v -> vm(tx, OTHER_VM, "compute2", "fa:16:3e:00:00:06", Map.of(S1, "10.1.0.6")))
        .compose(v -> tx.query("INSERT INTO agents(id, host, agent_type, agent_mode, tunnel_ip) VALUES"
            + " (gen_random_uuid(), 'compute1', 'L3 agent', 'dvr', '172.31.0.11'),"
            + " (gen_random_uuid(), 'compute2', 'L3 agent', 'dvr', '172.31.0.12'),"
            + " (gen_random_uuid(), 'network', 'L3 agent', 'dvr_snat', '')"))));
  }

  @AfterAll
  static void close() throws Exception {
    embedded.close();
  }

  static DvrHostMac mac(String host, String mac) {
    return DvrHostMac.newBuilder().setHost(host).setMacAddress(mac).build();
  }

  static <T> T await(Future<T> f) throws Exception {
    return EmbeddedStore.await(f);
  }

  /** A router interface on the subnet; with a SNAT port when {@code snatPort} is given. */
  static Future<Void> iface(Tx tx, UUID router, UUID subnet, String gateway, String mac, UUID snatPort, String snatIp) {
    UUID port = UUID.randomUUID();
    Future<Void> done = tx.query("INSERT INTO ports(id, network_id, mac_address, device_owner, device_id) VALUES"
            + " ($1, $2, $3::text::macaddr, $4, $5)", port, NET, mac, DeviceOwners.ROUTER_INTERFACE_DISTRIBUTED,
            router.toString())
        .compose(v -> tx.query("INSERT INTO ip_allocations(subnet_id, ip_address, port_id) VALUES ($1, $2::text::inet, $3)",
            subnet, gateway, port)).mapEmpty();
    if (snatPort != null) {
      done = done.compose(v -> tx.query("INSERT INTO ports(id, network_id, mac_address, device_owner, device_id) VALUES"
              + " ($1, $2, 'fa:16:3e:00:01:03', $3, $4)", snatPort, NET, DeviceOwners.ROUTER_SNAT, router.toString()))
          .compose(v -> tx.query("INSERT INTO ip_allocations(subnet_id, ip_address, port_id) VALUES ($1, $2::text::inet, $3)",
              subnet, snatIp, snatPort)).mapEmpty();
    }
    return done.compose(v -> tx.query("INSERT INTO router_interfaces(router_id, subnet_id, port_id, snat_port_id)"
        + " VALUES ($1, $2, $3, $4)", router, subnet, port, snatPort)).mapEmpty();
  }

  static Future<Void> vm(Tx tx, UUID port, String host, String mac, Map<UUID, String> ips) {
    Future<Void> done = tx.query("INSERT INTO ports(id, network_id, mac_address, device_owner, binding_host, status)"
        + " VALUES ($1, $2, $3::text::macaddr, 'compute:nova', $4, 'ACTIVE')", port, NET, mac, host).mapEmpty();
    for (Map.Entry<UUID, String> ip : ips.entrySet()) {
      done = done.compose(v -> tx.query("INSERT INTO ip_allocations(subnet_id, ip_address, port_id) VALUES"
          + " ($1, $2::text::inet, $3)", ip.getKey(), ip.getValue(), port)).mapEmpty();
    }
    return done;
  }

  /** The host's view of both routers, read in one snapshot as scheduler-svc reads it. */
  static HostRouters view(String host) throws Exception {
    HostRouters fromDatabase = await(store.snapshot(tx -> query.generation(tx).compose(generation ->
        query.forHost(tx, host, "dvr", List.of(R1, R2)).map(view -> view.toBuilder().setGeneration(generation).build()))));
    return HostRoutersQuery.withOwners(fromDatabase, Map.of(), MACS);
  }

  static RouterInfo router(HostRouters view, UUID id) {
    return view.getRoutersList().stream().filter(r -> r.getRouterId().equals(id.toString())).findFirst().orElseThrow();
  }

  @Test
  @Order(1)
  @DisplayName("a VM port with addresses on two routers' subnets is listed once, with both addresses, and both routers name it")
  void portsOnceAtHostLevel() throws Exception {
    HostRouters view = view("compute1");
    assertThat(view.getPortsList()).containsExactly(HostPort.newBuilder().setPortId(VM.toString())
        .setMacAddress("fa:16:3e:00:00:05").setNetworkId(NET.toString()).setSegmentationId(1001).setMtu(1400)
        .setDeviceOwner("compute:nova").setStatus("ACTIVE")
        .addFixedIps(HostPortIp.newBuilder().setSubnetId(S1.toString()).setIpAddress("10.1.0.5").setCidr("10.1.0.0/24"))
        .addFixedIps(HostPortIp.newBuilder().setSubnetId(S2.toString()).setIpAddress("10.2.0.5").setCidr("10.2.0.0/24"))
        .build());
    assertThat(router(view, R1).getLocalPortIdsList()).containsExactly(VM.toString());
    assertThat(router(view, R2).getLocalPortIdsList()).containsExactly(VM.toString());
  }

  @Test
  @Order(2)
  @DisplayName("the SNAT port is a port of the host that holds the router's SNAT, named by that router only there")
  void snatPortOnItsHost() throws Exception {
    HostRouters network = view("network");
    assertThat(network.getPortsList()).extracting(HostPort::getPortId).containsExactly(SNAT_R1.toString());
    assertThat(network.getPorts(0).getDeviceOwner()).isEqualTo(DeviceOwners.ROUTER_SNAT);
    assertThat(router(network, R1).getLocalPortIdsList()).containsExactly(SNAT_R1.toString());
    assertThat(router(network, R2).getLocalPortIdsList()).isEmpty();
    assertThat(view("compute1").getPortsList()).extracting(HostPort::getPortId).doesNotContain(SNAT_R1.toString());
  }

  @Test
  @Order(3)
  @DisplayName("peers are every other host once, with its DVR MAC and tunnel endpoint (empty when it has none)")
  void peersOnce() throws Exception {
    HostRouters view = view("compute1");
    assertThat(view.getDvrMac()).isEqualTo("fa:16:3f:00:00:01");
    assertThat(view.getPeersList()).containsExactly(
        HostPeer.newBuilder().setHost("compute2").setDvrMac("fa:16:3f:00:00:02").setTunnelIp("172.31.0.12").build(),
        HostPeer.newBuilder().setHost("network").setDvrMac("fa:16:3f:00:00:03").build());
  }

  @Test
  @Order(4)
  @DisplayName("a view read after a change committed has a higher generation; one read without a change is the same view")
  void generationOrdersViews() throws Exception {
    HostRouters first = view("compute1");
    HostRouters again = view("compute1");
    assertThat(again.getGeneration()).isGreaterThanOrEqualTo(first.getGeneration()).isPositive();
    assertThat(again.toBuilder().setGeneration(0).build()).isEqualTo(first.toBuilder().setGeneration(0).build());

    UUID added = UUID.randomUUID();
    await(store.write(tx -> vm(tx, added, "compute1", "fa:16:3e:00:00:07", Map.of(S2, "10.2.0.7"))));
    HostRouters after = view("compute1");
    assertThat(after.getGeneration()).isGreaterThan(again.getGeneration());
    assertThat(after.getPortsList()).extracting(HostPort::getPortId).contains(added.toString());
    assertThat(router(after, R2).getLocalPortIdsList()).contains(added.toString());
    assertThat(router(after, R1).getLocalPortIdsList()).doesNotContain(added.toString());
  }
}

package io.dvr.scheduler.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.store.EmbeddedStore;
import io.dvr.store.Store;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import io.dvr.proto.v1.RouterHost;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Placement: a router lives on the dvr hosts with its VMs and its SNAT on one live dvr_snat host")
class PlacementTest {
  @TempDir static Path dataDir;
  static EmbeddedStore embedded;
  static Store store;
  static final SchedulerStore scheduler = new SchedulerStore(75);
  UUID net;
  UUID ext;

  @BeforeAll
  static void open() throws Exception {
    embedded = EmbeddedStore.open(dataDir.resolve("pg"));
    store = embedded.store;
  }

  @AfterAll
  static void close() throws Exception {
    embedded.close();
  }

  @BeforeEach
  void emptyDatabase() throws Exception {
    await(store.write(tx -> tx.query("TRUNCATE agents, router_snat_bindings, router_host_bindings, floating_ips,"
        + " router_interfaces, routers, ip_allocations, ports, allocation_pools, subnets, networks CASCADE")));
    net = UUID.randomUUID();
    ext = UUID.randomUUID();
    await(store.write(tx -> tx.query("INSERT INTO networks(id, name, router_external) VALUES ($1, 'net', false),"
        + " ($2, 'ext', true)", net, ext)));
  }

  static <T> T await(Future<T> f) throws Exception {
    return EmbeddedStore.await(f);
  }

  /** An L3 agent: alive unless {@code dead}, admin up unless {@code adminDown}. */
  static void agent(String host, String mode, boolean dead, boolean adminDown) throws Exception {
    await(store.write(tx -> tx.query("INSERT INTO agents(id, host, agent_type, agent_mode, admin_state_up, last_heartbeat)"
        + " VALUES (gen_random_uuid(), $1, 'L3 agent', $2, $3, now() - ($4 || ' seconds')::interval)",
        host, mode, !adminDown, dead ? "3600" : "0")));
  }

  UUID router(boolean gateway) throws Exception {
    UUID id = UUID.randomUUID();
    await(store.write(tx -> tx.query("INSERT INTO routers(id, name, gw_network_id) VALUES ($1, 'r', $2)",
        id, gateway ? ext : null)));
    return id;
  }

  private int octet = 0;

  /** A subnet attached to the router with a VM port bound to each given host. */
  void subnetWithVms(UUID router, String... hosts) throws Exception {
    int third = ++octet;
    UUID subnet = UUID.randomUUID();
    UUID iface = UUID.randomUUID();
    await(store.write(tx -> tx.query("INSERT INTO subnets(id, network_id, name, cidr, gateway_ip) VALUES"
            + " ($1, $2, 's', $3::text::cidr, $4::text::inet)", subnet, net, "10.0." + third + ".0/24", "10.0." + third + ".1")
        .compose(v -> tx.query("INSERT INTO ports(id, network_id, mac_address, device_owner, device_id) VALUES"
            + " ($1, $2, $3::text::macaddr, 'network:router_interface_distributed', $4)", iface, net,
            String.format("fa:16:3e:00:%02x:01", third), router.toString()))
        .compose(v -> tx.query("INSERT INTO ip_allocations(subnet_id, ip_address, port_id) VALUES ($1, $2::text::inet, $3)",
            subnet, "10.0." + third + ".1", iface))
        .compose(v -> tx.query("INSERT INTO router_interfaces(router_id, subnet_id, port_id) VALUES ($1, $2, $3)",
            router, subnet, iface))
        .compose(v -> vms(tx, subnet, third, hosts))));
  }

  Future<Void> vms(Tx tx, UUID subnet, int third, String... hosts) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < hosts.length; i++) {
      UUID vm = UUID.randomUUID();
      String host = hosts[i];
      String mac = String.format("fa:16:3e:00:%02x:%02x", third, 10 + i);
      String ip = "10.0." + third + "." + (10 + i);
      chain = chain.compose(v -> tx.query("INSERT INTO ports(id, network_id, mac_address, device_owner, binding_host)"
              + " VALUES ($1, $2, $3::text::macaddr, 'compute:nova', $4)", vm, net, mac, host))
          .compose(v -> tx.query("INSERT INTO ip_allocations(subnet_id, ip_address, port_id) VALUES ($1, $2::text::inet, $3)",
              subnet, ip, vm))
          .mapEmpty();
    }
    return chain;
  }

  static SchedulerStore.Placement reschedule(UUID router) throws Exception {
    return await(store.write(tx -> scheduler.reschedule(tx, router)));
  }

  static String snatHost(UUID router) throws Exception {
    return await(store.read(tx -> tx.one("SELECT host FROM router_snat_bindings WHERE router_id = $1", router)))
        .map(r -> r.getString("host")).orElse(null);
  }

  @Test
  @DisplayName("bound to every dvr or dvr_snat host with a VM on its subnets; not to legacy hosts, hosts without an agent, or hosts without a VM")
  void dvrHostsWithVms() throws Exception {
    agent("compute1", "dvr", false, false);
    agent("compute2", "dvr", false, false);
    agent("network", "dvr_snat", false, false);
    agent("legacy", "legacy", false, false);
    agent("idle", "dvr", false, false);
    UUID r = router(false);
    subnetWithVms(r, "compute1", "compute2", "network", "legacy", "agentless");
    SchedulerStore.Placement first = reschedule(r);
    assertThat(first.added()).containsExactly("compute1", "compute2", "network");
    assertThat(first.removed()).isEmpty();
    assertThat(reschedule(r).touched()).containsExactly("compute1", "compute2", "network");
    assertThat(snatHost(r)).as("no gateway, no SNAT").isNull();
  }

  @Test
  @DisplayName("a host whose last VM went loses the router; a deleted router is removed everywhere")
  void removals() throws Exception {
    agent("compute1", "dvr", false, false);
    UUID r = router(false);
    subnetWithVms(r, "compute1");
    reschedule(r);
    await(store.write(tx -> tx.query("DELETE FROM ports WHERE device_owner = 'compute:nova'")));
    SchedulerStore.Placement after = reschedule(r);
    assertThat(after.removed()).containsExactly("compute1");
    assertThat(after.added()).isEmpty();

    UUID gone = router(false);
    subnetWithVms(gone, "compute1");
    reschedule(gone);
    await(store.write(tx -> tx.query("DELETE FROM router_interfaces WHERE router_id = $1", gone)
        .compose(v -> tx.query("DELETE FROM routers WHERE id = $1", gone))));
    assertThat(reschedule(gone).touched()).isEmpty();
  }

  @Test
  @DisplayName("the SNAT goes to the least loaded live, admin-up dvr_snat host (ties by name) and becomes one of its hosts")
  void snatElection() throws Exception {
    agent("net-a", "dvr_snat", false, false);
    agent("net-b", "dvr_snat", false, false);
    agent("net-down", "dvr_snat", false, true);
    agent("net-dead", "dvr_snat", true, false);
    UUID r1 = router(true);
    assertThat(reschedule(r1).added()).containsExactly("net-a");
    assertThat(snatHost(r1)).isEqualTo("net-a");
    UUID r2 = router(true);
    reschedule(r2);
    assertThat(snatHost(r2)).as("net-a holds one already").isEqualTo("net-b");
    UUID r3 = router(true);
    reschedule(r3);
    assertThat(snatHost(r3)).as("a tie goes to the first by name").isEqualTo("net-a");
    // What scheduler-svc's meters show (dvr_snat_routers{host}, dvr_agents_alive{mode}).
    assertThat(await(store.read(scheduler::snatRoutersByHost))).isEqualTo(java.util.Map.of("net-a", 2L, "net-b", 1L));
    assertThat(await(store.read(scheduler::aliveAgentsByMode))).as("net-dead is not alive; admin-down is")
        .isEqualTo(java.util.Map.of("dvr_snat", 3L));
  }

  @Test
  @DisplayName("a dead holder loses the SNAT to a live dvr_snat host")
  void deadHolder() throws Exception {
    agent("net-a", "dvr_snat", false, false);
    UUID r = router(true);
    reschedule(r);
    agent("net-b", "dvr_snat", false, false);
    await(store.write(tx -> tx.query("UPDATE agents SET last_heartbeat = now() - interval '1 hour' WHERE host = 'net-a'")));
    SchedulerStore.Placement moved = reschedule(r);
    assertThat(snatHost(r)).isEqualTo("net-b");
    assertThat(moved.added()).containsExactly("net-b");
    assertThat(moved.removed()).containsExactly("net-a");
  }

  @Test
  @DisplayName("a holder demoted to dvr loses the SNAT; an admin-down holder keeps the one it has but gets no new one")
  void demotedHolders() throws Exception {
    agent("net-a", "dvr_snat", false, false);
    agent("net-b", "dvr_snat", false, false);
    UUID onA = router(true);
    reschedule(onA);
    UUID onB = router(true);
    reschedule(onB);
    assertThat(Set.of(snatHost(onA), snatHost(onB))).containsExactlyInAnyOrder("net-a", "net-b");
    String a = snatHost(onA);
    String b = snatHost(onB);

    // a: no longer a dvr_snat host
    await(store.write(tx -> tx.query("UPDATE agents SET agent_mode = 'dvr' WHERE host = $1", a)));
    reschedule(onA);
    assertThat(snatHost(onA)).isEqualTo(b);

    // b: administratively down keeps what it holds, but a new router's SNAT finds no host
    await(store.write(tx -> tx.query("UPDATE agents SET admin_state_up = false WHERE host = $1", b)));
    reschedule(onB);
    assertThat(snatHost(onB)).isEqualTo(b);
    UUID fresh = router(true);
    assertThat(reschedule(fresh).added()).isEmpty();
    assertThat(snatHost(fresh)).isNull();
  }

  @Test
  @DisplayName("with no live dvr_snat host the SNAT binding is dropped")
  void noSnatHost() throws Exception {
    agent("net-a", "dvr_snat", false, false);
    UUID r = router(true);
    reschedule(r);
    await(store.write(tx -> tx.query("UPDATE agents SET last_heartbeat = now() - interval '1 hour'")));
    assertThat(reschedule(r).removed()).containsExactly("net-a");
    assertThat(snatHost(r)).isNull();
  }

  @Test
  @DisplayName("a scheduler (re)started less than a down time ago presumes agents alive: a holder with an old stored heartbeat keeps the SNAT until the down time has passed since the start")
  void restartedSchedulerPresumesAgentsAlive() throws Exception {
    agent("net-a", "dvr_snat", false, false);
    agent("net-b", "dvr_snat", false, false);
    UUID r = router(true);
    reschedule(r);
    String holder = snatHost(r);
    // The control plane was stopped for an hour: every stored heartbeat is older than the down time.
    await(store.write(tx -> tx.query("UPDATE agents SET last_heartbeat = now() - interval '1 hour'")));
    Instant now = await(store.read(SchedulerStore::databaseNow));

    SchedulerStore justStarted = new SchedulerStore(75, now);
    SchedulerStore.Placement first = await(store.write(tx -> justStarted.reschedule(tx, r)));
    assertThat(first.added()).isEmpty();
    assertThat(first.removed()).isEmpty();
    assertThat(snatHost(r)).isEqualTo(holder);
    List<RouterHost> hosts = await(store.read(tx -> justStarted.hostsOf(tx, r)));
    assertThat(hosts).extracting(RouterHost::getAlive).containsOnly(true);

    // Started 76 s ago and still no heartbeat: the holder is dead and the other one is too.
    SchedulerStore downTimePassed = new SchedulerStore(75, now.minusSeconds(76));
    assertThat(await(store.write(tx -> downTimePassed.reschedule(tx, r))).removed()).containsExactly(holder);
    assertThat(snatHost(r)).isNull();
  }
}

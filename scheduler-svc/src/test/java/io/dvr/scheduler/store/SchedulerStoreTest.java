package io.dvr.scheduler.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.store.EmbeddedStore;
import io.dvr.store.Store;
import io.dvr.store.Tx;

import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Which routers an agent (re)start can move: what its ports need but it lacks, what it holds for nothing, and SNATs nobody live holds")
class SchedulerStoreTest {
  @TempDir static Path dataDir;
  static EmbeddedStore embedded;
  static Store store;
  static final SchedulerStore scheduler = new SchedulerStore(75);
  static final UUID EXT = UUID.randomUUID();
  static final UUID NET = UUID.randomUUID();
  /** Gateway routers: SNAT on network (alive), on demoted (now a dvr host), on gone (dead), and on none. */
  static final UUID HELD = UUID.randomUUID();
  static final UUID DEMOTED = UUID.randomUUID();
  static final UUID ORPHANED = UUID.randomUUID();
  static final UUID UNBOUND = UUID.randomUUID();
  /** Routers without gateway with a subnet where compute1 has a VM: bound to compute1, and not bound. */
  static final UUID SERVED = UUID.randomUUID();
  static final UUID MISSING = UUID.randomUUID();
  /** Bound to compute1, which has no VM on its subnets any more. */
  static final UUID STALE = UUID.randomUUID();

  @BeforeAll
  static void open() throws Exception {
    embedded = EmbeddedStore.open(dataDir.resolve("pg"));
    store = embedded.store;
    await(store.write(tx -> tx.query("INSERT INTO networks(id, name, router_external) VALUES ($1, 'ext', true),"
            + " ($2, 'net', false)", EXT, NET)
        .compose(v -> tx.query("INSERT INTO routers(id, name, gw_network_id) VALUES ($1, 'held', $5), ($2, 'demoted', $5),"
            + " ($3, 'orphaned', $5), ($4, 'unbound', $5)", HELD, DEMOTED, ORPHANED, UNBOUND, EXT))
        .compose(v -> tx.query("INSERT INTO routers(id, name) VALUES ($1, 'served'), ($2, 'missing'), ($3, 'stale')",
            SERVED, MISSING, STALE))
        .compose(v -> tx.query("INSERT INTO agents(id, host, agent_type, agent_mode, last_heartbeat) VALUES"
            + " (gen_random_uuid(), 'network', 'L3 agent', 'dvr_snat', now()),"
            + " (gen_random_uuid(), 'spare', 'L3 agent', 'dvr_snat', now()),"
            + " (gen_random_uuid(), 'demoted', 'L3 agent', 'dvr', now()),"
            + " (gen_random_uuid(), 'gone', 'L3 agent', 'dvr_snat', now() - interval '1 hour'),"
            + " (gen_random_uuid(), 'compute1', 'L3 agent', 'dvr', now())"))
        .compose(v -> tx.query("INSERT INTO router_snat_bindings(router_id, host) VALUES ($1, 'network'),"
            + " ($2, 'demoted'), ($3, 'gone')", HELD, DEMOTED, ORPHANED))
        .compose(v -> tx.query("INSERT INTO router_host_bindings(router_id, host) VALUES ($1, 'network'), ($2, 'demoted'),"
            + " ($3, 'compute1'), ($4, 'compute1')", HELD, DEMOTED, SERVED, STALE))
        .compose(v -> subnetWithVm(tx, SERVED, "10.1.0", "fa:16:3e:00:01"))
        .compose(v -> subnetWithVm(tx, MISSING, "10.2.0", "fa:16:3e:00:02"))));
  }

  /** A subnet on NET attached to the router, with a VM port of compute1 on it. */
  static Future<Void> subnetWithVm(Tx tx, UUID router, String prefix, String macPrefix) {
    UUID subnet = UUID.randomUUID();
    UUID iface = UUID.randomUUID();
    UUID vm = UUID.randomUUID();
    return tx.query("INSERT INTO subnets(id, network_id, name, cidr, gateway_ip) VALUES ($1, $2, 's', $3::text::cidr, $4::text::inet)",
            subnet, NET, prefix + ".0/24", prefix + ".1")
        .compose(v -> tx.query("INSERT INTO ports(id, network_id, mac_address, device_owner, device_id) VALUES"
            + " ($1, $2, $3::text::macaddr, 'network:router_interface_distributed', $4)", iface, NET, macPrefix + ":01", router.toString()))
        .compose(v -> tx.query("INSERT INTO ports(id, network_id, mac_address, device_owner, binding_host) VALUES"
            + " ($1, $2, $3::text::macaddr, 'compute:nova', 'compute1')", vm, NET, macPrefix + ":02"))
        .compose(v -> tx.query("INSERT INTO ip_allocations(subnet_id, ip_address, port_id) VALUES ($1, $2::text::inet, $3),"
            + " ($1, $4::text::inet, $5)", subnet, prefix + ".1", iface, prefix + ".5", vm))
        .compose(v -> tx.query("INSERT INTO router_interfaces(router_id, subnet_id, port_id) VALUES ($1, $2, $3)",
            router, subnet, iface))
        .mapEmpty();
  }

  @AfterAll
  static void close() throws Exception {
    embedded.close();
  }

  static <T> T await(Future<T> f) throws Exception {
    return EmbeddedStore.await(f);
  }

  static List<UUID> concerning(String host) throws Exception {
    return await(store.read(tx -> scheduler.routersConcerning(tx, host)));
  }

  @Test
  @DisplayName("a compute host: the router its VM needs but lacks and the one it holds for nothing; not the gateway routers")
  void computeHost() throws Exception {
    assertThat(concerning("compute1")).containsExactlyInAnyOrder(MISSING, STALE);
  }

  @Test
  @DisplayName("a dvr_snat host: SNATs held by a dead host, a host no longer dvr_snat or none; not its own, not those another live one holds")
  void snatHosts() throws Exception {
    assertThat(concerning("network")).containsExactlyInAnyOrder(ORPHANED, DEMOTED, UNBOUND);
    assertThat(concerning("spare")).containsExactlyInAnyOrder(ORPHANED, DEMOTED, UNBOUND);
  }

  @Test
  @DisplayName("a host that is no longer dvr_snat: the SNATs it still holds")
  void demotedHost() throws Exception {
    assertThat(concerning("demoted")).containsExactly(DEMOTED);
  }

  /** Reschedules the router in a transaction of its own; returns whether that transaction wrote anything. */
  static boolean rescheduleWrites(UUID router) throws Exception {
    return await(store.write(tx -> scheduler.reschedule(tx, router)
        .compose(p -> tx.one("SELECT txid_current_if_assigned() IS NOT NULL AS wrote"))
        .map(r -> r.orElseThrow().getBoolean("wrote"))));
  }

  @Test
  @Order(Integer.MAX_VALUE) // last: it changes the placements the other tests read
  @DisplayName("rescheduling writes what changed and, once placement is right, nothing (no durable commit per router)")
  void rescheduleWritesOnlyChanges() throws Exception {
    // MISSING lacks compute1, STALE holds it for nothing, the SNATs of DEMOTED and ORPHANED must
    // move, UNBOUND's SNAT is unbound.
    for (UUID router : List.of(MISSING, STALE, DEMOTED, ORPHANED, UNBOUND)) {
      assertThat(rescheduleWrites(router)).as("first reschedule of %s", router).isTrue();
    }
    for (UUID router : List.of(HELD, DEMOTED, ORPHANED, UNBOUND, SERVED, MISSING, STALE)) {
      assertThat(rescheduleWrites(router)).as("reschedule of %s with nothing to change", router).isFalse();
    }
    assertThat(concerning("compute1")).isEmpty();
  }
}

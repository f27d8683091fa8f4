package io.dvr.scheduler;

import static io.dvr.store.EmbeddedStore.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.model.DeviceOwners;
import io.dvr.scheduler.store.FipGatewayPorts;
import io.dvr.scheduler.store.SchedulerStore;
import io.dvr.store.EmbeddedStore;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router's VM on compute1 has a floating IP and compute1 its fg- port; compute3 holds an fg-
 * port on the same network that no floating IP uses any more (its change was missed). A
 * reschedule for a change on some hosts reads the fg- ports of those hosts and of the hosts of the
 * router's floating IPs alone; a change of the router itself or the periodic resync reads them all.
 */
@DisplayName("A reschedule reads the fg- ports of the hosts its changes concern, not every fg- port of the cloud")
class FipGatewayScopeTest {
  @TempDir static Path dir;
  static EmbeddedStore pg;
  static OneVmTopology topo;
  static final UUID EXT = UUID.randomUUID();
  static final UUID ON_COMPUTE1 = UUID.randomUUID();
  static final UUID ORPHAN_ON_COMPUTE3 = UUID.randomUUID();
  static final SchedulerStore scheduler = new SchedulerStore(75);

  @BeforeAll
  static void open() throws Exception {
    pg = EmbeddedStore.open(dir.resolve("pg"));
    topo = OneVmTopology.write(pg);
    UUID fipPort = UUID.randomUUID();
    await(pg.store.write(tx -> tx.query("INSERT INTO networks(id, name, router_external) VALUES ($1, 'ext', true)", EXT)
        .compose(v -> tx.query("INSERT INTO ports(id, network_id, mac_address, device_owner, binding_host) VALUES"
            + " ($1, $4, 'fa:16:3e:00:00:f1', $5, 'compute1'), ($2, $4, 'fa:16:3e:00:00:f3', $5, 'compute3'),"
            + " ($3, $4, 'fa:16:3e:00:00:fe', 'network:floatingip', '')",
            ON_COMPUTE1, ORPHAN_ON_COMPUTE3, fipPort, EXT, DeviceOwners.FIP_AGENT_GATEWAY))
        .compose(v -> tx.query("INSERT INTO floating_ips(id, floating_network_id, floating_port_id, floating_ip_address,"
            + " port_id, fixed_ip_address, router_id) VALUES (gen_random_uuid(), $1, $2, '192.0.2.10', $3, '10.1.0.11', $4)",
            EXT, fipPort, topo.vm(), topo.router()))));
  }

  @AfterAll
  static void close() throws Exception {
    pg.close();
  }

  static FipGatewayPorts.Change decided(Set<String> hosts) throws Exception {
    return FipGatewayPorts.decide(await(pg.store.write(tx -> scheduler.fipGatewayState(tx, topo.router(), hosts))));
  }

  @Test
  @DisplayName("a change on compute2 keeps compute1's fg- port (its floating IP's host) and leaves compute3's alone")
  void changeOnOtherHosts() throws Exception {
    FipGatewayPorts.Change change = decided(Set.of("compute2"));
    assertThat(change.create()).as("compute1's fg- port was read: no second one").isEmpty();
    assertThat(change.delete()).as("compute3 is neither concerned nor a floating IP's host: not read").isEmpty();
  }

  @Test
  @DisplayName("a change on compute3, or one that names no host, removes compute3's unused fg- port")
  void changeOnItsHostOrEverywhere() throws Exception {
    assertThat(decided(Set.of("compute3")).delete()).containsExactly(ORPHAN_ON_COMPUTE3);
    FipGatewayPorts.Change everywhere = decided(null);
    assertThat(everywhere.delete()).containsExactly(ORPHAN_ON_COMPUTE3);
    assertThat(everywhere.create()).isEmpty();
  }
}

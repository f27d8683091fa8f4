package io.dvr.arp.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.ArpEntry;
import io.dvr.store.EmbeddedStore;
import io.dvr.store.Store;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A router's ARP table: every non-router port on its subnets, by address")
class ArpStoreTest {
  @TempDir static Path dataDir;
  static EmbeddedStore embedded;
  static Store store;
  static final ArpStore arp = new ArpStore();
  static final UUID NET = UUID.randomUUID();
  static final UUID R1 = UUID.randomUUID();
  static final UUID R2 = UUID.randomUUID();
  static final UUID EMPTY = UUID.randomUUID();
  static final UUID SUBNET1 = UUID.randomUUID();
  static final UUID SUBNET2 = UUID.randomUUID();

  @BeforeAll
  static void open() throws Exception {
    embedded = EmbeddedStore.open(dataDir.resolve("pg"));
    store = embedded.store;
    EmbeddedStore.await(store.write(tx -> tx.query("INSERT INTO networks(id, name) VALUES ($1, 'net')", NET)
        .compose(v -> tx.query("INSERT INTO routers(id, name) VALUES ($1, 'r1'), ($2, 'r2'), ($3, 'empty')", R1, R2, EMPTY))
        .compose(v -> tx.query("INSERT INTO subnets(id, network_id, name, cidr, gateway_ip) VALUES"
            + " ($1, $3, 'a', '10.1.0.0/24', '10.1.0.1'), ($2, $3, 'b', '10.2.0.0/24', '10.2.0.1')", SUBNET1, SUBNET2, NET))
        .compose(v -> port(tx, "fa:16:3e:01:00:01", "network:router_interface_distributed", SUBNET1, "10.1.0.1"))
        .compose(v -> port(tx, "fa:16:3e:01:00:0b", "compute:nova", SUBNET1, "10.1.0.11"))
        .compose(v -> port(tx, "fa:16:3e:01:00:05", "compute:nova", SUBNET1, "10.1.0.5"))
        .compose(v -> port(tx, "fa:16:3e:01:00:02", "network:router_centralized_snat", SUBNET1, "10.1.0.2"))
        .compose(v -> port(tx, "fa:16:3e:01:00:03", "network:router_interface", SUBNET1, "10.1.0.3"))
        .compose(v -> port(tx, "fa:16:3e:02:00:05", "compute:nova", SUBNET2, "10.2.0.5"))
        .compose(v -> tx.query("INSERT INTO router_interfaces(router_id, subnet_id, port_id)"
            + " SELECT $1, $2, id FROM ports WHERE mac_address = 'fa:16:3e:01:00:01'", R1, SUBNET1))
        .compose(v -> tx.query("INSERT INTO router_interfaces(router_id, subnet_id, port_id)"
            + " SELECT $1, $2, id FROM ports WHERE mac_address = 'fa:16:3e:01:00:03'", R2, SUBNET2))));
  }

  static io.vertx.core.Future<Void> port(io.dvr.store.Tx tx, String mac, String owner, UUID subnet, String ip) {
    UUID id = UUID.randomUUID();
    return tx.query("INSERT INTO ports(id, network_id, mac_address, device_owner) VALUES ($1, $2, $3::text::macaddr, $4)",
            id, NET, mac, owner)
        .compose(v -> tx.query("INSERT INTO ip_allocations(subnet_id, ip_address, port_id) VALUES ($1, $2::text::inet, $3)",
            subnet, ip, id))
        .mapEmpty();
  }

  @AfterAll
  static void close() throws Exception {
    embedded.close();
  }

  @Test
  @DisplayName("VM and SNAT ports are in, router interface ports are not; ordered by address, per router")
  void membership() throws Exception {
    Map<UUID, List<ArpEntry>> tables = EmbeddedStore.await(store.read(tx -> arp.tables(tx, List.of(R1, R2, EMPTY))));
    assertThat(tables.get(R1)).extracting(ArpEntry::getIpAddress).containsExactly("10.1.0.2", "10.1.0.5", "10.1.0.11");
    assertThat(tables.get(R1)).extracting(ArpEntry::getMacAddress)
        .containsExactly("fa:16:3e:01:00:02", "fa:16:3e:01:00:05", "fa:16:3e:01:00:0b");
    assertThat(tables.get(R1)).allMatch(e -> e.getSubnetId().equals(SUBNET1.toString()) && !e.getPortId().isEmpty());
    assertThat(tables.get(R2)).extracting(ArpEntry::getIpAddress).containsExactly("10.2.0.5");
    assertThat(tables.get(EMPTY)).isEmpty();
    List<ArpEntry> one = EmbeddedStore.await(store.read(tx -> arp.table(tx, R2)));
    assertThat(one).isEqualTo(tables.get(R2));
  }
}

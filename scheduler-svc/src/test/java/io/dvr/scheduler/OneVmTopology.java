package io.dvr.scheduler;

import static io.dvr.store.EmbeddedStore.await;

import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.FloatingIpFacts;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import io.dvr.store.EmbeddedStore;
import java.util.UUID;

/**
 * One router with an interface on one subnet (10.1.0.0/24) and a VM port on it bound to compute1,
 * whose L3 agent (dvr) is alive: a reschedule of the router places it on compute1.
 */
record OneVmTopology(UUID network, UUID subnet, UUID router, UUID vm) {

  static OneVmTopology write(EmbeddedStore pg) throws Exception {
    OneVmTopology t = new OneVmTopology(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
    UUID interfacePort = UUID.randomUUID();
    await(pg.store.write(tx -> tx.query("INSERT INTO networks(id, name) VALUES ($1, 'net')", t.network())
        .compose(v -> tx.query("INSERT INTO routers(id, name) VALUES ($1, 'r')", t.router()))
        .compose(v -> tx.query("INSERT INTO subnets(id, network_id, name, cidr, gateway_ip) VALUES"
            + " ($1, $2, 'a', '10.1.0.0/24', '10.1.0.1')", t.subnet(), t.network()))
        .compose(v -> tx.query("INSERT INTO ports(id, network_id, mac_address, device_owner) VALUES"
            + " ($1, $2, 'fa:16:3e:01:00:01', 'network:router_interface_distributed'),"
            + " ($3, $2, 'fa:16:3e:00:00:0b', 'compute:nova')", interfacePort, t.network(), t.vm()))
        .compose(v -> tx.query("UPDATE ports SET binding_host = 'compute1' WHERE id = $1", t.vm()))
        .compose(v -> tx.query("INSERT INTO ip_allocations(subnet_id, ip_address, port_id) VALUES"
            + " ($1, '10.1.0.1', $2), ($1, '10.1.0.11', $3)", t.subnet(), interfacePort, t.vm()))
        .compose(v -> tx.query("INSERT INTO router_interfaces(router_id, subnet_id, port_id) VALUES ($1, $2, $3)",
            t.router(), t.subnet(), interfacePort))
        .compose(v -> tx.query("INSERT INTO agents(id, host, agent_type, agent_mode, last_heartbeat) VALUES"
            + " (gen_random_uuid(), 'compute1', 'L3 agent', 'dvr', now())"))));
    return t;
  }

  /** A floating IP associated with vm() on compute1, as api-gateway's event says it. */
  ResourceChanged floatingIpOnVm(long sequence, UUID fip, UUID externalNetwork) {
    return ResourceChanged.newBuilder().setSequence(sequence).setResourceType(ResourceType.RESOURCE_TYPE_FLOATING_IP)
        .setResourceId(fip.toString()).setRevision(2).setKind(ChangeKind.CHANGE_KIND_UPDATED)
        .setNetworkId(externalNetwork.toString()).addRouterIds(router().toString()).addHosts("compute1")
        .setFloatingIp(FloatingIpFacts.newBuilder().setFloatingIpAddress("192.0.2.10")
            .setFloatingNetworkId(externalNetwork.toString()).setPortId(vm().toString()).setFixedIpAddress("10.1.0.11")
            .setRouterId(router().toString()).setHost("compute1"))
        .build();
  }
}

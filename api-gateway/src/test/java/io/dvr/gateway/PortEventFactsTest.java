package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.DeletePortRequest;
import io.dvr.proto.v1.CreateFloatingIpRequest;
import io.dvr.proto.v1.DeleteFloatingIpRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.FloatingIpFacts;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.AssociateFloatingIpRequest;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortAddress;
import io.dvr.proto.v1.PortFacts;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.ResourceType;
import io.dvr.proto.v1.RouterSubnet;
import io.dvr.proto.v1.UpdatePortRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A floating IP's change carries its association, for the host of its port. A port's change carries what arp-svc needs to patch its routers' ARP tables without reading
 * them: the port's MAC, owner and addresses, the router interfaces on its subnets, and the
 * transaction that made it (published by its writer right after the commit).
 */
class PortEventFactsTest {
  @TempDir static Path dataDir;
  static GatewayFixture gw;
  static SeedTopology seed;
  static final List<ResourceChanged> heard = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
    seed = SeedTopology.build(gw);
    GatewayFixture.await(Bus.listen(gw.vertx, EventAddresses.RESOURCE_CHANGED, ResourceChanged.parser(), heard::add)
        .completion());
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  @DisplayName("create, update and delete of a VM port: each event tells the port as the change left it, with its host and status")
  void createUpdateDelete() throws Exception {
    Port port = gw.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(seed.net1.getId())
        .setDeviceOwner("compute:nova").setBindingHost("compute1")
        .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(seed.sub81.getId()).setIpAddress("81.1.180.40")).build());
    PortFacts facts = PortFacts.newBuilder().setMacAddress(port.getMacAddress()).setDeviceOwner("compute:nova")
        .addFixedIps(PortAddress.newBuilder().setSubnetId(seed.sub81.getId()).setIpAddress("81.1.180.40"))
        .addRouterSubnets(RouterSubnet.newBuilder().setRouterId(SeedTopology.ROUTER_ID).setSubnetId(seed.sub81.getId()))
        .setBindingHost("compute1").setStatus("DOWN").build();

    ResourceChanged created = event(port, ChangeKind.CHANGE_KIND_CREATED);
    assertThat(created.getPort()).as("bound to compute1, DOWN until its agent wired it").isEqualTo(facts);
    assertThat(created.getChangeId()).as("the transaction that made it").isPositive();

    gw.call(PortServiceGrpcClient.UpdatePort, UpdatePortRequest.newBuilder().setId(port.getId())
        .setBindingHost("compute2").build());
    ResourceChanged updated = event(port, ChangeKind.CHANGE_KIND_UPDATED);
    assertThat(updated.getPort()).as("bound to compute2 now").isEqualTo(facts.toBuilder().setBindingHost("compute2").build());
    assertThat(updated.getHostsList()).as("the host it left and the one it is bound to").containsExactly("compute1", "compute2");
    assertThat(updated.getChangeId()).isGreaterThan(created.getChangeId());

    gw.call(PortServiceGrpcClient.DeletePort, DeletePortRequest.newBuilder().setId(port.getId()).build());
    ResourceChanged deleted = event(port, ChangeKind.CHANGE_KIND_DELETED);
    assertThat(deleted.hasPort()).as("a delete tells that nothing is left of the port").isTrue();
    assertThat(deleted.getPort()).isEqualTo(PortFacts.getDefaultInstance());
    assertThat(deleted.getRouterIdsList()).containsExactly(SeedTopology.ROUTER_ID);
  }

  @Test
  @DisplayName("a floating IP's change tells its association as the change left it, with the hosts of the ports"
      + " it went on and off")
  void floatingIpAssociations() throws Exception {
    Port a = vm("compute1", "81.1.180.42");
    Port b = vm("compute2", "81.1.180.43");
    FloatingIp fip = gw.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
        .setFloatingNetworkId(seed.ext.getId()).setFloatingIpAddress("192.168.1.140").setPortId(a.getId()).build());
    FloatingIpFacts onA = FloatingIpFacts.newBuilder().setFloatingIpAddress("192.168.1.140")
        .setFloatingNetworkId(seed.ext.getId()).setPortId(a.getId()).setFixedIpAddress("81.1.180.42")
        .setRouterId(SeedTopology.ROUTER_ID).setHost("compute1").build();
    assertThat(event(fip.getId(), ChangeKind.CHANGE_KIND_UPDATED, 0).getFloatingIp()).isEqualTo(onA);

    gw.call(FloatingIpServiceGrpcClient.AssociateFloatingIp, AssociateFloatingIpRequest.newBuilder().setId(fip.getId())
        .setPortId(b.getId()).build());
    assertThat(event(fip.getId(), ChangeKind.CHANGE_KIND_UPDATED, 1).getFloatingIp()).as("moved to a port on compute2")
        .isEqualTo(onA.toBuilder().setPortId(b.getId()).setFixedIpAddress("81.1.180.43").setHost("compute2")
            .setPreviousHost("compute1").build());

    gw.call(FloatingIpServiceGrpcClient.DeleteFloatingIp, DeleteFloatingIpRequest.newBuilder().setId(fip.getId()).build());
    assertThat(event(fip.getId(), ChangeKind.CHANGE_KIND_DELETED, 0).getFloatingIp()).as("on no port, off compute2")
        .isEqualTo(FloatingIpFacts.newBuilder().setFloatingIpAddress("192.168.1.140")
            .setFloatingNetworkId(seed.ext.getId()).setPreviousHost("compute2").build());
  }

  private static Port vm(String host, String ip) {
    return gw.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(seed.net1.getId())
        .setDeviceOwner("compute:nova").setBindingHost(host)
        .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(seed.sub81.getId()).setIpAddress(ip)).build());
  }

  /** The {@code nth} event of this kind of the floating IP (0: the first). */
  private static ResourceChanged event(String fipId, ChangeKind kind, int nth) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < end) {
      List<ResourceChanged> seen = heard.stream().filter(c -> c.getResourceType() == ResourceType.RESOURCE_TYPE_FLOATING_IP
          && c.getResourceId().equals(fipId) && c.getKind() == kind && c.hasFloatingIp()).toList();
      if (seen.size() > nth) {
        return seen.get(nth);
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no " + kind + " event " + nth + " of floating IP " + fipId + " within 30 s");
  }

  private static ResourceChanged event(Port port, ChangeKind kind) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < end) {
      Optional<ResourceChanged> e = heard.stream().filter(c -> c.getResourceType() == ResourceType.RESOURCE_TYPE_PORT
          && c.getResourceId().equals(port.getId()) && c.getKind() == kind && c.getRouterIdsCount() > 0).findFirst();
      if (e.isPresent()) {
        return e.get();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no " + kind + " event of port " + port.getId() + " within 30 s");
  }
}

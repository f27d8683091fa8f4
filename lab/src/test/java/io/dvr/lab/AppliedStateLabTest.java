package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.reconcile.Operation;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.SeedTopology;
import io.dvr.proto.v1.AppliedStatus;
import io.dvr.proto.v1.ConvergenceServiceGrpcClient;
import io.dvr.proto.v1.CreateFloatingIpRequest;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.GetFloatingIpRequest;
import io.dvr.proto.v1.GetHostStatusRequest;
import io.dvr.proto.v1.GetPortRequest;
import io.dvr.proto.v1.GetRouterRequest;
import io.dvr.proto.v1.GetRouterStatusRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.RouterInterface;
import io.dvr.proto.v1.RouterInterfaceRequest;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.RouterStatus;
import io.dvr.proto.v1.Status;
import io.dvr.proto.v1.WaitForChangeRequest;
import io.dvr.proto.v1.WaitForChangeResponse;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.DeletePortRequest;
import io.dvr.proto.v1.DisassociateFloatingIpRequest;
import io.dvr.proto.v1.UpdatePortRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.common.grpc.RpcFailure;
import io.dvr.common.Metrics;
import io.dvr.agent.render.Names;
import io.vertx.grpc.common.GrpcStatus;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.IssueTokenRequest;
import io.dvr.proto.v1.TokenServiceGrpcClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the hosts applied, seen through the API of a running lab: router-status per host, a host
 * whose kernel refuses an operation (ERROR with its error, then recovery), and a floating IP that
 * is DOWN until the host of its port applied it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Applied state: router-status, statuses following the data path")
class AppliedStateLabTest {
  private static final Duration LIMIT = Duration.ofSeconds(45);
  static final String QROUTER = Names.qrouterNamespace(SeedTopology.ROUTER_ID);

  @TempDir static Path dataDir;
  static LabFixture fx;
  static SeedTopology seed;

  @BeforeAll
  static void build() {
    // No periodic resync (60 s by default): one landing between two reads of the hosts' applied
    // copies would move copies that the tests check were not told to move.
    fx = LabFixture.start(dataDir.resolve("pg"), Map.of("convergence.meters-seconds", "1",
        "agent.resync-seconds", "3600", "scheduler.resync-seconds", "3600"));
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> fx.routersOf("compute2").getDvrMac().startsWith("fa:16:3f"));
    seed = SeedTopology.build(fx.api);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  static RouterStatus routerStatus() {
    return fx.api.call(ConvergenceServiceGrpcClient.GetRouterStatus,
        GetRouterStatusRequest.newBuilder().setRouterId(SeedTopology.ROUTER_ID).build());
  }

  static AppliedStatus on(RouterStatus status, String host) {
    return status.getHostsList().stream().filter(h -> h.getHost().equals(host)).findFirst().orElseThrow(
        () -> new AssertionError("no row for " + host + " in " + status));
  }

  static Status routerStatusField() {
    return fx.api.call(RouterServiceGrpcClient.GetRouter, GetRouterRequest.newBuilder().setId(SeedTopology.ROUTER_ID)
        .build()).getStatus();
  }

  static FloatingIp fip(String id) {
    return fx.api.call(FloatingIpServiceGrpcClient.GetFloatingIp, GetFloatingIpRequest.newBuilder().setId(id).build());
  }

  static Port port(String id) {
    return fx.api.call(PortServiceGrpcClient.GetPort, GetPortRequest.newBuilder().setId(id).build());
  }

  @Test
  @Order(1)
  @DisplayName("every host carrying dvr-r1 is in sync: desired = the router's last change, seen by what each applied")
  void inSync() {
    Awaitility.await().atMost(LIMIT).untilAsserted(() -> {
      RouterStatus status = routerStatus();
      assertThat(status.getStatus()).as(status.toString()).isEqualTo(Status.STATUS_ACTIVE);
      assertThat(status.getHostsList()).extracting(AppliedStatus::getHost)
          .containsExactly("compute1", "compute2", "network");
      assertThat(status.getHostsList()).allSatisfy(h -> {
        assertThat(h.getInSync()).isTrue();
        assertThat(h.getDesiredGeneration()).isEqualTo(status.getDesiredGeneration()).isPositive();
        assertThat(h.getAppliedGeneration()).isGreaterThan(h.getDesiredGeneration());
        assertThat(h.hasLastAppliedAt()).isTrue();
        assertThat(h.getLastError()).isEmpty();
      });
      assertThat(on(status, "network").getSnat()).isTrue();
    });
    assertThat(routerStatusField()).isEqualTo(Status.STATUS_ACTIVE);
    Awaitility.await().atMost(LIMIT).until(() -> fip(seed.fip.getId()).getStatus() == Status.STATUS_ACTIVE);
    // Per host, the same rows.
    var compute1 = fx.api.call(ConvergenceServiceGrpcClient.GetHostStatus,
        GetHostStatusRequest.newBuilder().setHost("compute1").build());
    assertThat(compute1.getRoutersList()).extracting(AppliedStatus::getRouterId, AppliedStatus::getInSync)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(SeedTopology.ROUTER_ID, true));
  }

  @Test
  @Order(2)
  @DisplayName("the router's gateway and SNAT ports are bound to the SNAT host and ACTIVE once it applied them")
  void routerOwnedPorts() {
    var router = fx.api.call(RouterServiceGrpcClient.GetRouter, GetRouterRequest.newBuilder()
        .setId(SeedTopology.ROUTER_ID).build());
    String gateway = router.getExternalGatewayInfo().getPortId();
    Awaitility.await().atMost(LIMIT).untilAsserted(() -> {
      assertThat(port(gateway).getBindingHost()).isEqualTo("network");
      assertThat(port(gateway).getStatus()).isEqualTo(Status.STATUS_ACTIVE);
      for (RouterInterface i : router.getInterfacesList()) {
        Port snat = port(i.getSnatPortId());
        assertThat(snat.getDeviceOwner()).isEqualTo("network:router_centralized_snat");
        assertThat(snat.getBindingHost()).isEqualTo("network");
        assertThat(snat.getStatus()).isEqualTo(Status.STATUS_ACTIVE);
      }
    });
  }

  @Test
  @Order(3)
  @DisplayName("a host whose kernel refuses an operation is ERROR with the error's text, and in sync again once it applies")
  void failedApplyThenRecovery() {
    String reason = "ovs-vsctl: cannot create a port: Operation not permitted";
    fx.host("compute1").refuse(Operation.CreateInternalPort.class, reason);
    Network net4 = SeedTopology.network(fx.api, "net4");
    Subnet sub92 = SeedTopology.subnet(fx.api, net4, "subnet92", "92.1.180.0/24");
    fx.api.call(RouterServiceGrpcClient.AddRouterInterface, RouterInterfaceRequest.newBuilder()
        .setRouterId(SeedTopology.ROUTER_ID).setSubnetId(sub92.getId()).build());
    Awaitility.await().atMost(LIMIT).untilAsserted(() -> {
      RouterStatus status = routerStatus();
      AppliedStatus compute1 = on(status, "compute1");
      assertThat(compute1.getStatus()).as(status.toString()).isEqualTo(Status.STATUS_ERROR);
      assertThat(compute1.getInSync()).isFalse();
      assertThat(compute1.getLastError()).contains(reason);
      assertThat(compute1.hasLastErrorAt()).isTrue();
      assertThat(status.getStatus()).isEqualTo(Status.STATUS_ERROR);
    });
    assertThat(routerStatusField()).isEqualTo(Status.STATUS_ERROR);
    Awaitility.await().atMost(LIMIT).until(() -> outOfSync() == 1);

    fx.host("compute1").stopRefusing();
    Awaitility.await().atMost(LIMIT).untilAsserted(() -> {
      RouterStatus status = routerStatus();
      assertThat(status.getStatus()).as(status.toString()).isEqualTo(Status.STATUS_ACTIVE);
      assertThat(on(status, "compute1").getInSync()).isTrue();
      assertThat(on(status, "compute1").getLastError()).isEmpty();
    });
    assertThat(routerStatusField()).isEqualTo(Status.STATUS_ACTIVE);
    Awaitility.await().atMost(LIMIT).until(() -> outOfSync() == 0);
  }

  static double outOfSync() {
    return Metrics.service("api-gateway").get("dvr.hosts.out.of.sync").gauge().value();
  }

  @Test
  @Order(4)
  @DisplayName("a floating IP is DOWN until the host of its port applied it, then ACTIVE")
  void floatingIpDownThenActive() {
    ApiClient.await(fx.lab.stopAgent("compute2"));
    FloatingIp created = fx.api.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
        .setFloatingNetworkId(seed.ext.getId()).setFloatingIpAddress("192.168.1.117").setPortId(seed.vm2.getId())
        .build());
    assertThat(created.getStatus()).as("compute2's agent is stopped: nothing applied it").isEqualTo(Status.STATUS_DOWN);
    assertThat(fip(created.getId()).getStatus()).isEqualTo(Status.STATUS_DOWN);
    ApiClient.await(fx.lab.startAgent("compute2", "dvr"));
    Awaitility.await().atMost(LIMIT).until(() -> fip(created.getId()).getStatus() == Status.STATUS_ACTIVE);
    assertThat(fip(seed.fip.getId()).getStatus()).as("the other one stays ACTIVE").isEqualTo(Status.STATUS_ACTIVE);
  }

  static WaitForChangeResponse waitFor(String resourceId, int timeoutMs) {
    return fx.api.call(ConvergenceServiceGrpcClient.WaitForChange, WaitForChangeRequest.newBuilder()
        .setResourceId(resourceId).setTimeoutMs(timeoutMs).build());
  }

  @Test
  @Order(5)
  @DisplayName("a wait returns once every host that must act applied the change: the floating IP's NAT is on its host")
  void waitReturnsOnceApplied() {
    Port vm3 = vmPort("vm3", seed.net2.getId(), "90.1.180.7", "compute2");
    WaitForChangeResponse portApplied = waitFor(vm3.getId(), 30_000);
    assertThat(portApplied.getHostsList()).as("the port's host; the others only patch an ARP entry")
        .containsExactly("compute2");
    assertThat(fx.host("compute2").ipNeigh(QROUTER)).contains("90.1.180.7");

    Port vm5 = vmPort("vm5", seed.net1.getId(), "81.1.180.19", "compute1");
    waitFor(vm5.getId(), 30_000);
    Map<String, Long> copiesBefore = appliedGenerations();
    FloatingIp created = fx.api.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
        .setFloatingNetworkId(seed.ext.getId()).setFloatingIpAddress("192.168.1.118").setPortId(vm5.getId())
        .build());
    WaitForChangeResponse applied = waitFor(created.getId(), 30_000);
    // Only the host of its port holds a floating IP: the router's other hosts have nothing to do.
    assertThat(applied.getHostsList()).containsExactly("compute1");
    Map<String, Long> copiesAfter = appliedGenerations();
    assertThat(copiesAfter.get("compute1")).as("compute1 refetched the router").isGreaterThan(copiesBefore.get("compute1"));
    assertThat(copiesAfter).as("compute2 and network were not told: their copies are as before")
        .containsEntry("compute2", copiesBefore.get("compute2")).containsEntry("network", copiesBefore.get("network"));
    assertThat(routerStatus().getStatus()).as("and in sync all the same").isEqualTo(Status.STATUS_ACTIVE);
    // No waiting here: the wait said it is applied.
    assertThat(fx.host("compute1").iptablesNat(QROUTER)).contains("192.168.1.118");
    assertThat(fip(created.getId()).getStatus()).isEqualTo(Status.STATUS_ACTIVE);
    assertThat(Metrics.service("api-gateway").get("dvr.change.applied").timer().count()).as("dvr_change_applied_seconds_count")
        .isPositive();
  }

  @Test
  @Order(5)
  @DisplayName("the first floating IP of the external network on a host: its wait ends once it works there, with the"
      + " host's fg- port that scheduler-svc makes after it")
  void firstFloatingIpOfAHostWaitsForItsGatewayPort() {
    String fipNs = Names.fipNamespace(seed.ext.getId());
    assertThat(fx.host("network").ipNetns()).as("no floating IP on the network host yet").doesNotContain(fipNs);
    Port vm6 = vmPort("vm6", seed.net1.getId(), "81.1.180.26", "network");
    waitFor(vm6.getId(), 30_000);
    FloatingIp created = fx.api.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
        .setFloatingNetworkId(seed.ext.getId()).setFloatingIpAddress("192.168.1.125").setPortId(vm6.getId())
        .build());
    assertThat(waitFor(created.getId(), 30_000).getHostsList()).containsExactly("network");
    // No waiting here: the wait said it is applied, and without fg- none of it would be.
    assertThat(fx.host("network").ipAddr(fipNs)).contains("fg-");
    assertThat(fx.host("network").ipRoute(fipNs)).contains("192.168.1.125");
    assertThat(fx.host("network").iptablesNat(QROUTER)).contains("192.168.1.125");
    assertThat(fip(created.getId()).getStatus()).isEqualTo(Status.STATUS_ACTIVE);
  }

  @Test
  @Order(6)
  @DisplayName("another project's member cannot wait for a change of a resource it cannot see: NOT_FOUND, as for any id")
  void waitIsScopedToTheCallersProject() {
    String otherMember = fx.api.call(TokenServiceGrpcClient.IssueToken, IssueTokenRequest.newBuilder()
        .setProjectId("another-project").setRole("member").build()).getToken();
    RpcFailure hidden = fx.api.as(otherMember).fail(ConvergenceServiceGrpcClient.WaitForChange,
        WaitForChangeRequest.newBuilder().setResourceId(seed.fip.getId()).setTimeoutMs(2_000).build());
    assertThat(hidden.status()).as(hidden.getMessage()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(hidden.getMessage()).doesNotContain("compute", "network (");
  }

  /** The generation of the copy of dvr-r1 each host applied last. */
  static Map<String, Long> appliedGenerations() {
    Map<String, Long> generations = new java.util.TreeMap<>();
    routerStatus().getHostsList().forEach(h -> generations.put(h.getHost(), h.getAppliedGeneration()));
    return generations;
  }

  static Port vmPort(String name, String network, String ip, String host) {
    return fx.api.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(network)
        .setName(name).setDeviceOwner("compute:nova").setBindingHost(host)
        .addFixedIps(FixedIpRequest.newBuilder().setIpAddress(ip)).build());
  }

  private static double portChanges(String host, String outcome) {
    var counter = Metrics.service(Metrics.hostAgent(host)).find("dvr.agent.port.changes").tags("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  /** The port changes each host took ahead of its fetch, confirmed and corrected by the fetch since {@code before}. */
  private static Map<String, List<Double>> portChangesSince(Map<String, List<Double>> before) {
    Map<String, List<Double>> since = new java.util.TreeMap<>();
    for (String host : List.of("compute1", "compute2")) {
      List<Double> now = List.of(portChanges(host, "taken"), portChanges(host, "confirmed"), portChanges(host, "corrected"));
      List<Double> was = before.getOrDefault(host, List.of(0.0, 0.0, 0.0));
      since.put(host, List.of(now.get(0) - was.get(0), now.get(1) - was.get(1), now.get(2) - was.get(2)));
    }
    return since;
  }

  @Test
  @Order(6)
  @DisplayName("a VM port bound, moved and deleted on hosts carrying its router is applied there ahead of the fetch,"
      + " and the fetch that follows holds it as the change told")
  void portChangesAppliedAheadOfTheFetch() {
    Map<String, List<Double>> start = portChangesSince(Map.of());
    Port vm = vmPort("vm-ahead", seed.net1.getId(), "81.1.180.31", "compute1");
    waitFor(vm.getId(), 30_000);
    assertThat(fx.host("compute1").ipNeigh(QROUTER)).contains("81.1.180.31");
    // [taken, confirmed, corrected] per host
    Awaitility.await().atMost(LIMIT).untilAsserted(() -> assertThat(portChangesSince(start))
        .containsEntry("compute1", List.of(1.0, 1.0, 0.0)).containsEntry("compute2", List.of(0.0, 0.0, 0.0)));

    fx.api.call(PortServiceGrpcClient.UpdatePort, UpdatePortRequest.newBuilder().setId(vm.getId())
        .setBindingHost("compute2").build());
    waitFor(vm.getId(), 30_000);
    Awaitility.await().atMost(LIMIT).untilAsserted(() -> assertThat(portChangesSince(start))
        .as("compute1 told it left, compute2 that it came")
        .containsEntry("compute1", List.of(2.0, 2.0, 0.0)).containsEntry("compute2", List.of(1.0, 1.0, 0.0)));

    fx.api.call(PortServiceGrpcClient.DeletePort, DeletePortRequest.newBuilder().setId(vm.getId()).build());
    waitFor(vm.getId(), 30_000);
    Awaitility.await().atMost(LIMIT).untilAsserted(() -> assertThat(portChangesSince(start))
        .containsEntry("compute1", List.of(2.0, 2.0, 0.0)).containsEntry("compute2", List.of(2.0, 2.0, 0.0)));
  }

  private static double floatingIpChanges(String host, String outcome) {
    var counter = Metrics.service(Metrics.hostAgent(host)).find("dvr.agent.floating.ip.changes").tags("outcome", outcome)
        .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  @Order(6)
  @DisplayName("a floating IP associated with and taken off a port on a host that has the router's fg- gateway is"
      + " applied there ahead of the fetch, and the fetch that follows holds it as the change told")
  void floatingIpChangesAppliedAheadOfTheFetch() {
    double taken = floatingIpChanges("compute1", "taken");
    double confirmed = floatingIpChanges("compute1", "confirmed");
    double corrected = floatingIpChanges("compute1", "corrected");
    Port vm = vmPort("vm-fip-ahead", seed.net1.getId(), "81.1.180.32", "compute1");
    waitFor(vm.getId(), 30_000);
    FloatingIp fip = fx.api.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
        .setFloatingNetworkId(seed.ext.getId()).setFloatingIpAddress("192.168.1.121").setPortId(vm.getId()).build());
    waitFor(fip.getId(), 30_000);
    assertThat(fx.host("compute1").iptablesNat(QROUTER)).contains("192.168.1.121");
    Awaitility.await().atMost(LIMIT).untilAsserted(() -> assertThat(List.of(floatingIpChanges("compute1", "taken") - taken,
        floatingIpChanges("compute1", "confirmed") - confirmed, floatingIpChanges("compute1", "corrected") - corrected))
        .as("[taken, confirmed, corrected]").containsExactly(1.0, 1.0, 0.0));

    fx.api.call(FloatingIpServiceGrpcClient.DisassociateFloatingIp, DisassociateFloatingIpRequest.newBuilder()
        .setId(fip.getId()).build());
    waitFor(fip.getId(), 30_000);
    assertThat(fx.host("compute1").iptablesNat(QROUTER)).doesNotContain("192.168.1.121");
    Awaitility.await().atMost(LIMIT).untilAsserted(() -> assertThat(List.of(floatingIpChanges("compute1", "taken") - taken,
        floatingIpChanges("compute1", "confirmed") - confirmed, floatingIpChanges("compute1", "corrected") - corrected))
        .containsExactly(2.0, 2.0, 0.0));
  }

  @Test
  @Order(7)
  @DisplayName("a wait times out naming the host whose agent is stopped")
  void waitTimesOutNamingTheLaggingHost() {
    ApiClient.await(fx.lab.stopAgent("compute2"));
    try {
      Port vm4 = vmPort("vm4", seed.net2.getId(), "90.1.180.8", "compute2");
      FloatingIp created = fx.api.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
          .setFloatingNetworkId(seed.ext.getId()).setFloatingIpAddress("192.168.1.119").setPortId(vm4.getId())
          .build());
      RpcFailure lagging = fx.api.fail(ConvergenceServiceGrpcClient.WaitForChange, WaitForChangeRequest.newBuilder()
          .setResourceId(created.getId()).setTimeoutMs(2_000).build());
      assertThat(lagging.status()).as(lagging.getMessage()).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
      assertThat(lagging.getMessage()).contains("compute2 (holds router " + SeedTopology.ROUTER_ID)
          .doesNotContain("compute1 (", "network (");
    } finally {
      ApiClient.await(fx.lab.startAgent("compute2", "dvr"));
    }
  }
}

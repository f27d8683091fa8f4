package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.config.Settings;
import io.dvr.common.grpc.RpcFailure;
import io.dvr.common.net.Ipv4;
import io.dvr.gateway.store.NewPort;
import io.dvr.gateway.store.PortStore;
import io.dvr.gateway.store.QuotaStore;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.IssueTokenRequest;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.QuotaServiceGrpcClient;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.TokenServiceGrpcClient;
import io.dvr.proto.v1.UpdateQuotaRequest;
import io.dvr.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Port creates: group commit under load, each failing alone; a subnet's creates do not wait for each other;"
    + " several api-gateway instances never hand out one address twice")
class PortGroupCommitTest {
  @TempDir static Path dataDir;
  static GatewayFixture gw;

  @BeforeAll
  static void start() {
    // One transaction of port creates at a time: whatever arrives while it runs queues for the next.
    gw = GatewayFixture.start(dataDir.resolve("pg"), Map.of("ports.create-transactions", "1"));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** A transaction of the test's own that holds the network's row: a port insert on it waits (foreign key). */
  static Transaction holdNetwork(String networkId) {
    SqlConnection conn = ApiClient.await(gw.gateway.database().pool().getConnection());
    Transaction tx = ApiClient.await(conn.begin());
    ApiClient.await(conn.preparedQuery("SELECT 1 FROM networks WHERE id = $1 FOR UPDATE")
        .execute(io.vertx.sqlclient.Tuple.of(UUID.fromString(networkId))));
    tx.completion().onComplete(v -> conn.close());
    return tx;
  }

  static void waitFor(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.onSpinWait();
    }
  }

  static long waitingForLocks() {
    return ApiClient.await(gw.gateway.database().pool()
        .query("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'").execute())
        .iterator().next().getLong(0);
  }

  static CreatePortRequest.Builder port(Subnet subnet, String name) {
    return CreatePortRequest.newBuilder().setNetworkId(subnet.getNetworkId()).setName(name)
        .setDeviceOwner("compute:nova").setBindingHost("compute1");
  }

  /** Sends the requests while a first create waits in its transaction; returns them once all are queued. */
  static List<Future<Port>> queuedBehindOne(Subnet subnet, ApiClient client, List<CreatePortRequest> requests,
      Future<Port>[] first) {
    Transaction held = holdNetwork(subnet.getNetworkId());
    first[0] = client.async(PortServiceGrpcClient.CreatePort, port(subnet, "first").build());
    waitFor("the first create waits in its transaction", () -> waitingForLocks() >= 1);
    List<Future<Port>> calls = new ArrayList<>();
    for (CreatePortRequest r : requests) {
      calls.add(client.async(PortServiceGrpcClient.CreatePort, r));
    }
    waitFor(requests.size() + " creates queue up", () -> gw.gateway.portCreates().queued() == requests.size());
    ApiClient.await(held.commit());
    ApiClient.await(Future.join(calls).otherwiseEmpty());
    return calls;
  }

  @Test
  @DisplayName("creates queued behind a running transaction share the next one; one request's taken address fails it alone")
  void queuedCreatesShareOneTransaction() {
    Network net = SeedTopology.network(gw, "group");
    Subnet subnet = SeedTopology.subnet(gw, net, "group", "10.61.0.0/24");
    Port holder = gw.call(PortServiceGrpcClient.CreatePort, port(subnet, "holder")
        .addFixedIps(FixedIpRequest.newBuilder().setIpAddress("10.61.0.100")).build());
    List<CreatePortRequest> requests = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      CreatePortRequest.Builder r = port(subnet, "vm-" + i);
      if (i == 4) {
        r.addFixedIps(FixedIpRequest.newBuilder().setIpAddress("10.61.0.100"));
      }
      requests.add(r.build());
    }
    long before = gw.gateway.portCreates().transactions();
    @SuppressWarnings("unchecked") Future<Port>[] first = new Future[1];
    List<Future<Port>> calls = queuedBehindOne(subnet, gw, requests, first);

    assertThat(ApiClient.await(first[0]).getFixedIpsCount()).isEqualTo(1);
    // The first alone, then the ten queued behind it together.
    assertThat(gw.gateway.portCreates().transactions() - before).isEqualTo(2);
    RpcFailure taken = (RpcFailure) calls.get(4).cause();
    assertThat(taken.status()).isEqualTo(GrpcStatus.ALREADY_EXISTS);
    assertThat(taken.getMessage()).contains("fixed_ips[0].ip_address '10.61.0.100' is already in use")
        .contains(holder.getId());
    List<Port> made = new ArrayList<>();
    for (int i = 0; i < calls.size(); i++) {
      if (i != 4) {
        made.add(calls.get(i).result());
      }
    }
    made.add(first[0].result());
    made.add(holder);
    assertThat(made.stream().map(p -> p.getFixedIps(0).getIpAddress()).distinct()).hasSize(11);
    List<Port> stored = gw.call(PortServiceGrpcClient.ListPorts, ListPortsRequest.newBuilder()
        .setNetworkId(net.getId()).setPageSize(100).build()).getPortsList();
    assertThat(stored).extracting(Port::getId)
        .containsExactlyInAnyOrderElementsOf(made.stream().map(Port::getId).toList());
  }

  @Test
  @DisplayName("creates of one project queued into one transaction never pass its port quota: the last ones are refused")
  void groupedCreatesKeepTheQuota() {
    gw.call(QuotaServiceGrpcClient.UpdateQuota, UpdateQuotaRequest.newBuilder().setProjectId("grouped").setPort(5).build());
    ApiClient member = gw.as(gw.call(TokenServiceGrpcClient.IssueToken, IssueTokenRequest.newBuilder()
        .setProjectId("grouped").setRole("member").setTtlSeconds(3600).build()).getToken());
    Network net = SeedTopology.network(member, "quota");
    Subnet subnet = SeedTopology.subnet(member, net, "quota", "10.62.0.0/24");
    List<CreatePortRequest> requests = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      requests.add(port(subnet, "vm-" + i).build());
    }
    @SuppressWarnings("unchecked") Future<Port>[] first = new Future[1];
    List<Future<Port>> calls = queuedBehindOne(subnet, member, requests, first);

    assertThat(first[0].succeeded()).isTrue();
    assertThat(calls.subList(0, 4)).allSatisfy(f -> assertThat(f.succeeded()).isTrue());
    assertThat(calls.subList(4, 12)).allSatisfy(f -> {
      assertThat(f.failed()).as("a create past the quota is refused").isTrue();
      assertThat(((RpcFailure) f.cause()).status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
      assertThat(f.cause().getMessage()).contains("quota exceeded for port: 5 of 5 in project grouped");
    });
    assertThat(member.call(PortServiceGrpcClient.ListPorts, ListPortsRequest.newBuilder().setNetworkId(net.getId())
        .build()).getPortsCount()).isEqualTo(5);
  }

  @Test
  @DisplayName("a create on a subnet goes through while another transaction that made a port on it is still open")
  void subnetCreatesDoNotWaitForEachOther() {
    Network net = SeedTopology.network(gw, "open");
    Subnet subnet = SeedTopology.subnet(gw, net, "open", "10.63.0.0/24");
    Store store = new Store(gw.gateway.database().pool());
    PortStore other = new PortStore(new QuotaStore());
    // Another project's port: the admin project's quota lock does not line the two up either.
    Promise<Void> release = Promise.promise();
    UUID heldPort = UUID.randomUUID();
    Promise<Void> made = Promise.promise();
    Future<Void> open = store.write(tx -> other.create(tx, new NewPort(heldPort, UUID.fromString(net.getId()), "held",
            null, "compute:nova", "", "compute1", true,
            List.of(new NewPort.IpRequest(UUID.fromString(subnet.getId()), Ipv4.tryParse("10.63.0.200"), "fixed_ips")),
            "elsewhere"))
        .compose(id -> {
          made.complete();
          return release.future();
        }));
    ApiClient.await(made.future());

    // Before free ranges, the open transaction held the subnet's row lock and this waited for it.
    Port port = gw.call(PortServiceGrpcClient.CreatePort, port(subnet, "while-open").build());
    assertThat(port.getFixedIps(0).getIpAddress()).isEqualTo("10.63.0.2");

    release.complete();
    ApiClient.await(open);
    List<Port> stored = gw.call(PortServiceGrpcClient.ListPorts, ListPortsRequest.newBuilder()
        .setNetworkId(net.getId()).build()).getPortsList();
    assertThat(stored.stream().map(p -> p.getFixedIps(0).getIpAddress()).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("10.63.0.2", "10.63.0.200");
  }

  @Test
  @DisplayName("two api-gateway instances on one database creating on one subnet at once: every port made, no address twice")
  void twoInstancesNeverShareAnAddress() {
    Network net = SeedTopology.network(gw, "two");
    Subnet subnet = SeedTopology.subnet(gw, net, "two", "10.64.0.0/24");
    Settings settings = Settings.of(Map.of("api.port", "0", "rest.port", "0", "api.host", "127.0.0.1",
        "outbox.relay-enabled", "false")).with(TestSecurity.settings());
    ApiGateway second = ApiClient.await(ApiGateway.start(gw.vertx, settings, gw.gateway.database()));
    try {
      ApiClient secondClient = new ApiClient(gw.vertx, second.port(), gw.adminToken);
      // The second instance reads the subnet's free addresses before the first makes any.
      secondClient.call(PortServiceGrpcClient.CreatePort, port(subnet, "early").build());
      List<Future<Port>> calls = new ArrayList<>();
      for (int i = 0; i < 80; i++) {
        calls.add((i % 2 == 0 ? gw : secondClient).async(PortServiceGrpcClient.CreatePort, port(subnet, "vm-" + i).build()));
      }
      ApiClient.await(Future.join(calls).otherwiseEmpty());
      assertThat(calls).allSatisfy(f -> assertThat(f.succeeded()).as(String.valueOf(f.cause())).isTrue());
      List<Port> stored = gw.call(PortServiceGrpcClient.ListPorts, ListPortsRequest.newBuilder()
          .setNetworkId(net.getId()).setPageSize(200).build()).getPortsList();
      assertThat(stored).hasSize(81);
      assertThat(stored.stream().map(p -> p.getFixedIps(0).getIpAddress()).distinct()).hasSize(81);
    } finally {
      ApiClient.await(second.stop());
    }
  }
}

package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.model.DeviceOwners;
import io.dvr.proto.v1.FipGatewayPortKey;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.ListRouterHostsRequest;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.SyncFipGatewayPortsRequest;
import io.dvr.proto.v1.SyncFipGatewayPortsResponse;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("api-gateway answers for its ports on the event bus: fg- ports made idempotently, only fg- ports deleted")
class PortRequestsTest {
  @TempDir static Path dataDir;
  static GatewayFixture gw;
  static SeedTopology seed;

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dataDir.resolve("pg"), Map.of("bus.request-timeout-ms", "1000"));
    seed = SeedTopology.build(gw);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static SyncFipGatewayPortsResponse sync(SyncFipGatewayPortsRequest request) {
    return ApiClient.await(Bus.request(gw.vertx, EventAddresses.SYNC_FIP_GATEWAY_PORTS, request,
        SyncFipGatewayPortsResponse.parser(), 10_000));
  }

  static List<Port> fgPorts(String host) {
    return gw.call(PortServiceGrpcClient.ListPorts, ListPortsRequest.newBuilder()
        .setDeviceOwner(DeviceOwners.FIP_AGENT_GATEWAY).setBindingHost(host).build()).getPortsList();
  }

  @Test
  @DisplayName("creating the fg- port of a (network, host) twice makes one; deleting it twice deletes one")
  void idempotent() {
    SyncFipGatewayPortsRequest create = SyncFipGatewayPortsRequest.newBuilder().addCreate(FipGatewayPortKey.newBuilder()
        .setNetworkId(seed.ext.getId()).setHost("fg-test-host")).build();
    int before = fgPorts("fg-test-host").size();
    assertThat(sync(create).getCreated()).isEqualTo(before == 0 ? 1 : 0);
    assertThat(sync(create).getCreated()).isZero();
    List<Port> made = fgPorts("fg-test-host");
    assertThat(made).hasSize(1);
    assertThat(made.get(0).getNetworkId()).isEqualTo(seed.ext.getId());
    assertThat(made.get(0).getFixedIpsCount()).isEqualTo(1);

    SyncFipGatewayPortsRequest delete = SyncFipGatewayPortsRequest.newBuilder()
        .addDeletePortIds(made.get(0).getId()).build();
    assertThat(sync(delete).getDeleted()).isEqualTo(1);
    assertThat(sync(delete).getDeleted()).isZero();
    assertThat(fgPorts("fg-test-host")).isEmpty();
  }

  @Test
  @DisplayName("a delete request naming a port that is not an fg- port deletes nothing")
  void onlyFgPorts() {
    SyncFipGatewayPortsRequest delete = SyncFipGatewayPortsRequest.newBuilder().addDeletePortIds(seed.vm1.getId()).build();
    assertThat(sync(delete).getDeleted()).isZero();
    assertThat(gw.call(PortServiceGrpcClient.GetPort, io.dvr.proto.v1.GetPortRequest.newBuilder()
        .setId(seed.vm1.getId()).build()).getId()).isEqualTo(seed.vm1.getId());
  }

  @Test
  @DisplayName("ListRouterHosts: an unknown router is NOT_FOUND; a known one without scheduler-svc is UNAVAILABLE")
  void routerHosts() {
    String unknown = UUID.randomUUID().toString();
    var missing = gw.fail(RouterServiceGrpcClient.ListRouterHosts, ListRouterHostsRequest.newBuilder().setRouterId(unknown).build());
    assertThat(missing.status()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(missing.detail()).contains(unknown);
    var noScheduler = gw.fail(RouterServiceGrpcClient.ListRouterHosts,
        ListRouterHostsRequest.newBuilder().setRouterId(SeedTopology.ROUTER_ID).build());
    assertThat(noScheduler.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(noScheduler.detail()).contains("scheduler-svc", SeedTopology.ROUTER_ID);
  }
}

package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.grpc.RpcFailure;
import io.dvr.common.net.Ipv4;
import io.dvr.proto.v1.AllocationPool;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrentPortCreationTest {
  @TempDir Path dataDir;

  @Test
  @DisplayName("200 concurrent port creations on a /24 with a 100-address pool: 100 unique IPs, 100 RESOURCE_EXHAUSTED, nothing lost or half-written")
  void concurrentCreationsNeverShareAnAddress() {
    try (GatewayFixture gw = GatewayFixture.start(dataDir.resolve("pg"), java.util.Map.of("db.pool-size", "8"))) {
      Network net = SeedTopology.network(gw, "busy");
      gw.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder().setNetworkId(net.getId())
          .setName("busy").setCidr("10.9.0.0/24")
          .addAllocationPools(AllocationPool.newBuilder().setStart("10.9.0.10").setEnd("10.9.0.109")).build());

      List<Future<Port>> calls = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        calls.add(gw.async(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder()
            .setNetworkId(net.getId()).setName("vm-" + i).setDeviceOwner("compute:nova")
            .setBindingHost("compute" + (i % 2 + 1)).build()));
      }
      GatewayFixture.await(Future.join(calls).otherwiseEmpty());

      List<Port> created = calls.stream().filter(Future::succeeded).map(Future::result).toList();
      List<Throwable> refused = calls.stream().filter(Future::failed).map(Future::cause).toList();
      assertThat(created).hasSize(100);
      assertThat(refused).hasSize(100).allSatisfy(err -> {
        assertThat(err).isInstanceOf(RpcFailure.class);
        assertThat(((RpcFailure) err).status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
      });

      Set<String> ips = created.stream().map(p -> p.getFixedIps(0).getIpAddress()).collect(Collectors.toSet());
      assertThat(ips).hasSize(100).allSatisfy(ip -> {
        long v = Ipv4.tryParse(ip).value();
        assertThat(v).isBetween(Ipv4.tryParse("10.9.0.10").value(), Ipv4.tryParse("10.9.0.109").value());
      });
      assertThat(created.stream().map(Port::getMacAddress).distinct()).hasSize(100);

      List<Port> stored = gw.call(PortServiceGrpcClient.ListPorts, ListPortsRequest.newBuilder()
          .setNetworkId(net.getId()).setPageSize(1000).build()).getPortsList();
      assertThat(stored).extracting(Port::getId)
          .containsExactlyInAnyOrderElementsOf(created.stream().map(Port::getId).toList());
      assertThat(stored).allSatisfy(p -> assertThat(p.getFixedIpsCount()).isEqualTo(1));
    }
  }
}

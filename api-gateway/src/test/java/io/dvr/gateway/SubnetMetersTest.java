package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.security.SecurityMaterial;
import io.dvr.proto.v1.AllocationPool;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubnetMetersTest {
  @TempDir Path dataDir;

  @Test
  @DisplayName("/metrics shows each subnet's pool size and the pool addresses allocated, by subnet and network")
  void poolUsagePerSubnet() {
    try (GatewayFixture gw = GatewayFixture.start(dataDir.resolve("pg"), Map.of("gateway.meters-seconds", "1"))) {
      Network net = gw.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName("m").build());
      Subnet subnet = gw.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder()
          .setNetworkId(net.getId()).setCidr("10.77.0.0/24").addAllocationPools(AllocationPool.newBuilder()
              .setStart("10.77.0.10").setEnd("10.77.0.19")).build());
      for (int i = 0; i < 3; i++) {
        gw.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(net.getId()).build());
      }
      // An address of the subnet outside its pool is not pool usage.
      gw.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(net.getId())
          .addFixedIps(FixedIpRequest.newBuilder().setIpAddress("10.77.0.200")).build());
      String labels = "{network=\"" + net.getId() + "\",subnet=\"" + subnet.getId() + "\"}";
      HttpClient http = gw.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustOptions(
          new PemTrustOptions().addCertPath(TestSecurity.dir().resolve(SecurityMaterial.CA_CERT).toString())));
      Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(scrape(gw, http))
          .contains("dvr_subnet_ips_used" + labels + " 3.0")
          .contains("dvr_subnet_ips_in_pools" + labels + " 10.0"));
    }
  }

  private static String scrape(GatewayFixture gw, HttpClient http) {
    return GatewayFixture.await(http.request(HttpMethod.GET, gw.port(), "127.0.0.1", "/metrics")
        .compose(req -> req.send()).compose(resp -> resp.body()).map(Buffer::toString));
  }
}

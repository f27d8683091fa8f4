package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.UpdateNetworkRequest;
import io.dvr.common.grpc.RpcFailure;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Request fields are read as a user means them: unsigned numbers, characters, one address once. */
@DisplayName("Request fields are checked as the user wrote them and refusals say what was wrong")
class RequestFieldsTest {
  private static final String EMOJI = "\uD83D\uDE00";
  @TempDir static Path dataDir;
  static GatewayFixture gw;
  static SeedTopology seed;

  @BeforeAll
  static void build() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
    seed = SeedTopology.build(gw);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static GatewayFixture gw() {
    return gw;
  }

  private static SeedTopology seed() {
    return seed;
  }

  private static RpcFailure refused(GrpcStatus status, Supplier<RpcFailure> call, String... messageParts) {
    return Refusals.refused(gw, status, call, messageParts);
  }

  @Test
  @DisplayName("the same IP twice in one request is INVALID_ARGUMENT saying it is given twice")
  void sameIpTwice() {
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw().fail(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder()
        .setNetworkId(seed().net1.getId()).setDeviceOwner("compute:nova")
        .addFixedIps(FixedIpRequest.newBuilder().setIpAddress("81.1.180.50"))
        .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(seed().sub81.getId()).setIpAddress("81.1.180.50"))
        .build()), "fixed_ips[1].ip_address '81.1.180.50'", "given twice in the request", "fixed_ips[0]");
  }

  @Test
  @DisplayName("page_size 2^31 and mtu 2^32-1 are refused with their real value and the allowed range")
  void unsignedFieldsKeepTheirValue() {
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw().fail(NetworkServiceGrpcClient.ListNetworks,
        ListNetworksRequest.newBuilder().setPageSize((int) 2147483648L).build()), "page_size '2147483648'", "0..1000");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw().fail(PortServiceGrpcClient.ListPorts,
        ListPortsRequest.newBuilder().setPageSize(-1).build()), "page_size '4294967295'", "0..1000");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw().fail(NetworkServiceGrpcClient.CreateNetwork,
        CreateNetworkRequest.newBuilder().setName("huge").setMtu(-1).build()), "mtu '4294967295'", "68..1450");
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw().fail(NetworkServiceGrpcClient.UpdateNetwork,
        UpdateNetworkRequest.newBuilder().setId(seed().net1.getId()).setMtu((int) 2147483648L).build()),
        "mtu '2147483648'", "68..1450");
  }

  @Test
  @DisplayName("a name's length counts characters (code points): 255 emoji pass, 256 are refused as 256")
  void nameLengthCountsCharacters() {
    Network n = gw().call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder()
        .setName(EMOJI.repeat(255)).build());
    assertThat(n.getName()).isEqualTo(EMOJI.repeat(255));
    refused(GrpcStatus.INVALID_ARGUMENT, () -> gw().fail(NetworkServiceGrpcClient.CreateNetwork,
        CreateNetworkRequest.newBuilder().setName(EMOJI.repeat(256)).build()), "name '", "is 256 characters long");
  }
}

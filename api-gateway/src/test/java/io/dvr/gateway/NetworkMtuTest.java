package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.GetNetworkRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.UpdateNetworkRequest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Network MTUs follow the physical MTU of the deployment (network.physical-mtu), as Neutron's global_physnet_mtu. */
class NetworkMtuTest {

  @Test
  @DisplayName("with a 9000-byte underlay: tunnelled networks default to 8950, external ones to 9000; an MTU can be set and changed")
  void jumboUnderlay(@TempDir Path dir) {
    try (GatewayFixture gw = GatewayFixture.start(dir.resolve("pg"), Map.of("network.physical-mtu", "9000"))) {
      Network tenant = gw.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName("t").build());
      Network external = gw.call(NetworkServiceGrpcClient.CreateNetwork,
          CreateNetworkRequest.newBuilder().setName("e").setRouterExternal(true).build());
      Network small = gw.call(NetworkServiceGrpcClient.CreateNetwork,
          CreateNetworkRequest.newBuilder().setName("s").setMtu(1400).build());
      assertThat(tenant.getMtu()).isEqualTo(8950);
      assertThat(external.getMtu()).isEqualTo(9000);
      assertThat(small.getMtu()).isEqualTo(1400);

      Network updated = gw.call(NetworkServiceGrpcClient.UpdateNetwork,
          UpdateNetworkRequest.newBuilder().setId(tenant.getId()).setMtu(1450).build());
      assertThat(updated.getMtu()).isEqualTo(1450);
      assertThat(updated.getRevision()).isEqualTo(tenant.getRevision() + 1);
      Network renamed = gw.call(NetworkServiceGrpcClient.UpdateNetwork,
          UpdateNetworkRequest.newBuilder().setId(tenant.getId()).setName("t2").build());
      assertThat(renamed.getMtu()).as("an update without mtu keeps it").isEqualTo(1450);
      assertThat(gw.call(NetworkServiceGrpcClient.GetNetwork, GetNetworkRequest.newBuilder().setId(tenant.getId()).build())
          .getMtu()).isEqualTo(1450);
    }
  }
}

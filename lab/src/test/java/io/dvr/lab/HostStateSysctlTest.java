package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.render.Names;
import io.dvr.common.config.Settings;
import io.dvr.gateway.ApiClient;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.GetHostStateRequest;
import io.dvr.proto.v1.HostStateListing;
import io.dvr.proto.v1.ListingSection;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostStateSysctlTest {
  @TempDir Path dataDir;

  @Test
  @DisplayName("host-state prints each namespace's sysctls as sysctl prints them: proxy_arp on fg- and rfp-, ip_forward, ip_nonlocal_bind in fip-")
  void sysctlSections() {
    try (LabFixture fx = LabFixture.start(dataDir.resolve("pg"), Map.of())) {
      ApiClient.await(AllInOne.seedIfAsked(fx.vertx, Settings.of(Map.of("lab.seed", "true")), fx.lab));
      fx.awaitConverged();
      String fip = Names.fipNamespace(SeedLoader.EXT_NET_ID);
      String qrouter = Names.qrouterNamespace(SeedLoader.ROUTER_ID);

      String fipSysctl = section(fx, "compute1", fip, fip + ": sysctl");
      String qrouterSysctl = section(fx, "compute1", qrouter, qrouter + ": sysctl");

      assertThat(fipSysctl).matches("(?s)net\\.ipv4\\.conf\\.fg-[0-9a-f-]{11}\\.proxy_arp = 1\n"
          + "net\\.ipv4\\.ip_forward = 1\nnet\\.ipv4\\.ip_nonlocal_bind = 1\n");
      assertThat(qrouterSysctl).contains("net.ipv4.conf." + Names.rfpDevice(SeedLoader.ROUTER_ID) + ".proxy_arp = 0\n")
          .contains("net.ipv4.ip_forward = 1\n").contains("net.ipv4.conf.all.send_redirects = 0\n");
      assertThat(section(fx, "network", Names.snatNamespace(SeedLoader.ROUTER_ID),
          Names.snatNamespace(SeedLoader.ROUTER_ID) + ": sysctl")).isEqualTo("net.ipv4.ip_forward = 1\n");
    }
  }

  private static String section(LabFixture fx, String host, String namespace, String title) {
    HostStateListing listing = fx.api.call(AgentServiceGrpcClient.GetHostState,
        GetHostStateRequest.newBuilder().setHost(host).setNamespace(namespace).build());
    return listing.getSectionsList().stream().filter(s -> s.getTitle().equals(title)).map(ListingSection::getText)
        .findFirst().orElseThrow(() -> new AssertionError("no section " + title + " in " + listing.getSectionsList()));
  }
}

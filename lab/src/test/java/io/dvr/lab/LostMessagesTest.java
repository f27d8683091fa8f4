package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.render.Names;
import io.dvr.gateway.SeedTopology;
import io.dvr.proto.v1.AssociateFloatingIpRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.DisassociateFloatingIpRequest;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.RouterInterfaceRequest;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.UpdatePortRequest;
import io.vertx.core.eventbus.DeliveryContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events and notifications between services are hints: with a third of them dropped and a fifth
 * duplicated, every host still converges within a few resync intervals.
 */
class LostMessagesTest {
  @TempDir Path dataDir;

  @Test
  @DisplayName("with random events dropped and duplicated between services, every host converges within its resync interval")
  void convergesDespiteLostAndRepeatedMessages() {
    try (LabFixture fx = LabFixture.start(dataDir.resolve("pg"),
        Map.of("agent.resync-seconds", "2", "scheduler.resync-seconds", "2"))) {
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> fx.routersOf("compute2").getDvrMac().startsWith("fa:16:3f"));
      Random random = new Random(42);
      AtomicInteger dropped = new AtomicInteger();
      AtomicInteger duplicated = new AtomicInteger();
      fx.vertx.eventBus().addOutboundInterceptor((DeliveryContext<Object> ctx) -> {
        boolean hint = ctx.message().address().startsWith("dvr.") && ctx.message().replyAddress() == null;
        double roll;
        synchronized (random) {
          roll = random.nextDouble();
        }
        if (hint && roll < 0.33) {
          dropped.incrementAndGet();
          return;
        }
        ctx.next();
        if (hint && roll > 0.8 && !"copy".equals(ctx.message().headers().get("test"))) {
          duplicated.incrementAndGet();
          var options = new io.vertx.core.eventbus.DeliveryOptions().addHeader("test", "copy");
          if (ctx.send()) {
            fx.vertx.eventBus().send(ctx.message().address(), ctx.message().body(), options);
          } else {
            fx.vertx.eventBus().publish(ctx.message().address(), ctx.message().body(), options);
          }
        }
      });

      SeedTopology seed = SeedTopology.build(fx.api);
      Port vm3 = fx.api.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(seed.net3.getId())
          .setName("vm3").setDeviceOwner("compute:nova").setBindingHost("compute2").build());
      fx.api.call(FloatingIpServiceGrpcClient.DisassociateFloatingIp,
          DisassociateFloatingIpRequest.newBuilder().setId(seed.fip.getId()).build());
      fx.api.call(PortServiceGrpcClient.UpdatePort,
          UpdatePortRequest.newBuilder().setId(seed.vm2.getId()).setBindingHost("compute1").build());
      fx.api.call(FloatingIpServiceGrpcClient.AssociateFloatingIp,
          AssociateFloatingIpRequest.newBuilder().setId(seed.fip.getId()).setPortId(vm3.getId()).build());
      fx.api.call(RouterServiceGrpcClient.RemoveRouterInterface, RouterInterfaceRequest.newBuilder()
          .setRouterId(SeedTopology.ROUTER_ID).setSubnetId(seed.sub81.getId()).build());

      String qrouter = Names.qrouterNamespace(SeedTopology.ROUTER_ID);
      // A host whose hints were dropped may not have made the router's namespace yet: not converged, not a failure.
      Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(IllegalArgumentException.class)
          .untilAsserted(() -> {
        assertThat(fx.host("compute2").ipNeigh(qrouter)).contains("lladdr " + vm3.getMacAddress());
        assertThat(fx.host("compute2").iptablesNat(qrouter)).contains("-d 192.168.1.116/32 -j DNAT --to-destination "
            + vm3.getFixedIps(0).getIpAddress());
        assertThat(fx.host("compute1").iptablesNat(qrouter)).doesNotContain("192.168.1.116");
        assertThat(fx.host("compute1").ipRule(qrouter)).doesNotContain("81.1.180.1/24");
        assertThat(fx.host("network").ipNeigh(qrouter)).doesNotContain("81.1.180.18");
      });
      fx.awaitConverged(Duration.ofSeconds(30));
      assertThat(dropped.get()).as("messages dropped").isPositive();
      assertThat(duplicated.get()).as("messages duplicated").isPositive();
    }
  }
}

package io.dvr.common;

import static io.dvr.common.ClusteredBusTest.await;
import static io.dvr.common.ClusteredBusTest.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.bus.InFlightRequests;
import io.dvr.common.cluster.TestCertificates;
import io.dvr.common.config.Settings;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.HostRouters;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request taken by a member that then dies is answered by another instance of the service
 * within its time limit, instead of failing when that limit runs out.
 */
class MemberLossTest {
  private static final long TIME_LIMIT_MS = 30_000;
  @TempDir static Path certificates;
  static TestCertificates pki;
  private final List<Vertx> started = new ArrayList<>();

  @BeforeAll
  static void makeCertificates() throws Exception {
    pki = TestCertificates.create(certificates, "member-loss-ca");
  }

  @AfterEach
  void close() throws Exception {
    for (Vertx v : started) {
      await(v.close().recover(err -> Future.succeededFuture()));
    }
  }

  @Test
  @DisplayName("a request held by a member that dies is sent again and answered by a live instance of the service")
  void requestOutlivesTheMemberThatTookIt() throws Exception {
    int[] ports = {freePort(), freePort(), freePort()};
    String members = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
    String name = "member-loss-" + System.nanoTime();
    Vertx asker = member("asker", name, members, ports[0]);
    Vertx doomed = member("doomed", name, members, ports[1]);
    Vertx survivor = member("survivor", name, members, ports[2]);

    // The doomed instance takes the request and never answers, as one that is killed meanwhile.
    CompletableFuture<Void> taken = new CompletableFuture<>();
    await(Bus.serve(doomed, EventAddresses.GET_HOST_ROUTERS, GetHostRoutersRequest.parser(), req -> {
      taken.complete(null);
      return Promise.<HostRouters>promise().future();
    }).completion());
    Future<HostRouters> answer = Bus.request(asker, EventAddresses.GET_HOST_ROUTERS,
        GetHostRoutersRequest.newBuilder().setHost("c1").build(), HostRouters.parser(), TIME_LIMIT_MS);
    taken.get(30, TimeUnit.SECONDS);
    assertThat(InFlightRequests.of(asker).size()).as("requests awaiting an answer").isEqualTo(1);

    await(Bus.serve(survivor, EventAddresses.GET_HOST_ROUTERS, GetHostRoutersRequest.parser(),
        req -> Future.succeededFuture(HostRouters.newBuilder().setHost(req.getHost() + " from the survivor").build()))
        .completion());
    // Its cluster membership ends at once, without leaving (as a kill -9 does).
    com.hazelcast.core.Hazelcast.getAllHazelcastInstances().stream()
        .filter(h -> h.getCluster().getLocalMember().getAddress().getPort() == ports[1])
        .findFirst().orElseThrow().getLifecycleService().terminate();

    HostRouters reply = answer.toCompletionStage().toCompletableFuture().get(TIME_LIMIT_MS + 10_000, TimeUnit.MILLISECONDS);
    assertThat(reply.getHost()).isEqualTo("c1 from the survivor");
    assertThat(InFlightRequests.of(asker).size()).as("requests awaiting an answer").isZero();
  }

  private Vertx member(String identity, String name, String members, int port) throws Exception {
    Vertx v = await(VertxBootstrap.start(Settings.of(pki.settings(identity)).with(Map.of("cluster.enabled", "true",
        "cluster.port", String.valueOf(port), "cluster.members", members, "cluster.name", name))));
    started.add(v);
    return v;
  }
}

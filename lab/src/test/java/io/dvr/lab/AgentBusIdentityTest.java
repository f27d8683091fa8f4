package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.grpc.ApiError;
import io.dvr.common.security.HostProofs;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.LogCapture;
import io.dvr.gateway.TestSecurity;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.PortsWired;
import io.dvr.proto.v1.PortsWiredAck;
import io.dvr.proto.v1.SchedulerServiceGrpcClient;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host's routers and port status answer only its agent: on the event bus with that host's
 * proof, on scheduler-svc's gRPC port with that host's agent certificate.
 */
class AgentBusIdentityTest {
  @TempDir
  static Path dir;
  static LabFixture fx;

  @BeforeAll
  static void start() {
    fx = LabFixture.start(dir.resolve("pg"), Map.of());
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static <R> Throwable failure(Future<R> request) {
    return ApiClient.await(request.transform(ar -> Future.succeededFuture(ar.failed() ? ar.cause() : null)));
  }

  @Test
  @DisplayName("a port-status report for another host, signed with compute1's credential, is PERMISSION_DENIED and logged naming the claimed host")
  void portsWiredForAnotherHost() {
    PortsWired report = PortsWired.newBuilder().setHost("compute2").build();
    DeliveryOptions signedByCompute1 = HostProofs.sender("compute2",
        io.dvr.common.security.SecurityMaterial.at(TestSecurity.dir()).hostCredentials().keyOf("compute1"),
        java.time.Clock.systemUTC()).options(report);
    try (LogCapture log = new LogCapture(HostProofs.class)) {
      Throwable refused = failure(Bus.request(fx.vertx, EventAddresses.PORTS_WIRED, report, PortsWiredAck.parser(), 5_000,
          signedByCompute1));
      assertThat(refused).isInstanceOf(ApiError.class);
      assertThat(((ApiError) refused).status()).isEqualTo(GrpcStatus.PERMISSION_DENIED);
      assertThat(refused.getMessage()).contains("host 'compute2'").contains("must come from that host's agent");
      assertThat(log.events()).singleElement().satisfies(e -> {
        assertThat(e.getLevel()).isEqualTo(Level.WARN);
        assertThat(e.getFormattedMessage()).contains("dvr.gateway.ports-wired").contains("host 'compute2'");
      });
    }
    // The same report with compute2's own proof is taken.
    assertThat(ApiClient.await(Bus.request(fx.vertx, EventAddresses.PORTS_WIRED, report, PortsWiredAck.parser(), 5_000,
        TestSecurity.proof("compute2").options(report)))).isNotNull();
  }

  @Test
  @DisplayName("a host's routers asked for without a proof, or with a stale one, are PERMISSION_DENIED; with the host's proof they come")
  void hostRouters() {
    GetHostRoutersRequest request = GetHostRoutersRequest.newBuilder().setHost("compute1").build();
    Throwable none = failure(Bus.request(fx.vertx, EventAddresses.GET_HOST_ROUTERS, request, HostRouters.parser(), 5_000));
    assertThat(((ApiError) none).status()).isEqualTo(GrpcStatus.PERMISSION_DENIED);
    DeliveryOptions stale = HostProofs.sender("compute1",
        io.dvr.common.security.SecurityMaterial.at(TestSecurity.dir()).hostCredentials().keyOf("compute1"),
        java.time.Clock.offset(java.time.Clock.systemUTC(), java.time.Duration.ofMinutes(-5))).options(request);
    Throwable old = failure(Bus.request(fx.vertx, EventAddresses.GET_HOST_ROUTERS, request, HostRouters.parser(), 5_000,
        stale));
    assertThat(((ApiError) old).status()).isEqualTo(GrpcStatus.PERMISSION_DENIED);
    assertThat(fx.routersOf("compute1").getHost()).isEqualTo("compute1");
  }

  @Test
  @DisplayName("scheduler-svc's GetHostRouters on gRPC answers the host's agent only: no certificate UNAUTHENTICATED, another host's agent PERMISSION_DENIED")
  void schedulerGrpc() {
    int port = fx.lab.scheduler().port();
    GetHostRoutersRequest compute1 = GetHostRoutersRequest.newBuilder().setHost("compute1").build();
    assertThat(new ApiClient(fx.vertx, port).fail(SchedulerServiceGrpcClient.GetHostRouters, compute1).status())
        .isEqualTo(GrpcStatus.UNAUTHENTICATED);
    assertThat(new ApiClient(fx.vertx, port, TestSecurity.agent("compute2")).fail(SchedulerServiceGrpcClient.GetHostRouters,
        compute1).status()).isEqualTo(GrpcStatus.PERMISSION_DENIED);
    assertThat(new ApiClient(fx.vertx, port, TestSecurity.agent("compute1")).call(SchedulerServiceGrpcClient.GetHostRouters,
        compute1).getHost()).isEqualTo("compute1");
  }
}

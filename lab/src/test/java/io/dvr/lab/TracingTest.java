package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.tracing.Tracing;
import io.dvr.gateway.SeedTopology;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.ListRouterHostsRequest;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("One CreatePort is one trace: the API call, the outbox, the bus, the services and the apply of every host that carries the router")
class TracingTest {
  @TempDir static Path dir;
  static final InMemorySpanExporter spans = InMemorySpanExporter.create();
  static LabFixture fx;

  @BeforeAll
  static void start() {
    Tracing.use(OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build());
    fx = LabFixture.start(dir.resolve("pg"), Map.of());
  }

  @AfterAll
  static void stop() {
    try {
      fx.close();
    } finally {
      Tracing.use(null);
    }
  }

  @Test
  @DisplayName("CreatePort on compute2: its trace starts at the gRPC call and reaches 'apply <host>' on network, compute1 and compute2")
  void createPortIsOneTrace() {
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> fx.api.call(AgentServiceGrpcClient.ListAgents,
        ListAgentsRequest.getDefaultInstance()).getAgentsCount() == 3);
    SeedTopology seed = SeedTopology.build(fx.api);
    Set<String> carriers = Set.of("network", "compute1", "compute2");
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> fx.api.call(RouterServiceGrpcClient.ListRouterHosts,
            ListRouterHostsRequest.newBuilder().setRouterId(seed.router.getId()).build()).getHostsList().stream()
        .map(RouterHost::getHost).collect(Collectors.toSet()).equals(carriers));
    fx.awaitConverged(Duration.ofSeconds(30));
    spans.reset();

    Port port = fx.api.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder()
        .setNetworkId(seed.net1.getId()).setName("vm3").setDeviceOwner("compute:nova").setBindingHost("compute2").build());

    // The trace is the one whose outbox row carried the port's change.
    SpanData published = Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> spans.getFinishedSpanItems()
        .stream().filter(s -> s.getName().equals("outbox publish")
            && port.getId().equals(s.getAttributes().get(AttributeKey.stringKey("dvr.resource_id"))))
        .findFirst().orElse(null), s -> s != null);
    String trace = published.getTraceId();
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(inTrace(trace).stream()
        .map(SpanData::getName).filter(n -> n.startsWith("apply ")).collect(Collectors.toSet()))
        .as(() -> "the hosts' applies in the port's trace, which holds " + describe(inTrace(trace)))
        .containsAll(carriers.stream().map(h -> "apply " + h).toList()));

    List<SpanData> all = inTrace(trace);
    Set<String> ids = all.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
    List<SpanData> roots = all.stream().filter(s -> !ids.contains(s.getParentSpanId())).toList();
    assertThat(roots).as("one root: the API call").hasSize(1);
    assertThat(roots.get(0).getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(all).as("the bus carried it to the services").anyMatch(s -> s.getName().equals("publish")
        && s.getKind() == SpanKind.SERVER);
  }

  private static String describe(List<SpanData> trace) {
    return trace.stream().map(s -> s.getName() + "(" + s.getKind() + ")").sorted().toList().toString();
  }

  private static List<SpanData> inTrace(String trace) {
    return spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(trace)).toList();
  }
}

package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.cli.Dvrctl;
import io.dvr.common.config.Settings;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.TestSecurity;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dvrctl trace} against the all-in-one lab holding the seed's topology: dvrctl asks each
 * host's agent for its leg (gRPC to api-gateway, the bus to the agent) and follows the packet.
 */
@DisplayName("dvrctl trace follows the seed's packets host by host through the lab's agents")
class TraceCommandTest {
  private static final String QROUTER = "qrouter-" + SeedLoader.ROUTER_ID;
  @TempDir static Path dataDir;
  static LabFixture fx;

  record Result(int code, String out, String err) {}

  @BeforeAll
  static void start() {
    fx = LabFixture.start(dataDir.resolve("pg"), Map.of());
    ApiClient.await(AllInOne.seedIfAsked(fx.vertx, Settings.of(Map.of("lab.seed", "true")), fx.lab));
    fx.awaitConverged();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  static Result dvrctl(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> full = new ArrayList<>(List.of("--server", "127.0.0.1:" + fx.lab.apiPort(),
        "--ca", TestSecurity.dir().resolve("ca.pem").toString(),
        "--token-file", fx.lab.adminTokenFile().orElseThrow().toString()));
    full.addAll(List.of(args));
    int code = Dvrctl.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), full.toArray(String[]::new));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("east-west from vm1 to vm2: routed on compute1, DVR MAC across the tunnel, delivered on compute2")
  void eastWest() {
    Result r = dvrctl("trace", "vm1", "90.1.180.6", "--protocol", "tcp", "--port", "22");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("trace 81.1.180.18 > 90.1.180.6 tcp/22 from port ")
        .contains("compute1 (from VM port ")
        .contains(QROUTER + ": ip rule 32766: from all lookup main: 90.1.180.0/24 dev qr-")
        .contains("actions=mod_dl_src:fa:16:3f:")
        .contains("compute2 (from compute1 by tunnel, rendered state)")
        .contains("Result: delivered to VM port ");
    assertThat(r.out().lines().filter(l -> l.startsWith("Result:")))
        .singleElement().asString().contains("on compute2: 81.1.180.18 > 90.1.180.6 tcp/22");
  }

  @Test
  @DisplayName("floating IP in from outside: only compute1 answers ARP for 192.168.1.116; DNAT in qrouter- delivers it to vm1")
  void floatingIpIn() {
    Result r = dvrctl("trace", "192.168.1.20", "192.168.1.116");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("trace 192.168.1.20 > 192.168.1.116 from the external network")
        .contains("proxy ARP on fg-")
        .contains("-j DNAT --to-destination 81.1.180.18: destination 192.168.1.116 -> 81.1.180.18")
        .contains("network (from the external network, rendered state): dropped: no device on br-ex of host network"
            + " answers ARP for 192.168.1.116");
    assertThat(r.out().lines().filter(l -> l.startsWith("Result:"))).singleElement().asString()
        .contains("on compute1: 192.168.1.20 > 81.1.180.18");
  }

  @Test
  @DisplayName("floating IP out with --live walks the observed state to the same delivery through fip-")
  void floatingIpOutLive() {
    Result rendered = dvrctl("trace", "81.1.180.18", "192.168.1.20");
    Result live = dvrctl("trace", "81.1.180.18", "192.168.1.20", "--live");

    assertThat(live.code()).as(live.err()).isZero();
    assertThat(live.out()).contains("compute1 (from VM port ").contains("observed state)")
        .contains("lookup 16: default via 169.254.")
        .contains("Result: delivered to the external network: 192.168.1.116 > 192.168.1.20");
    assertThat(result(live)).isEqualTo(result(rendered));
  }

  private static String result(Result r) {
    return r.out().lines().filter(l -> l.startsWith("Result:")).findFirst().orElseThrow();
  }

  @Test
  @DisplayName("a destination that is not an address is a usage error")
  void badDestination() {
    Result r = dvrctl("trace", "vm1", "90.1.180");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("DESTINATION '90.1.180' must be an IPv4 address");
  }
}

package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.cli.Dvrctl;
import io.dvr.common.VertxBootstrap;
import io.dvr.common.config.Settings;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The README's dvrctl walk-through against the all-in-one lab, over real gRPC. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("The README's dvrctl walk-through builds the seed's topology in the all-in-one lab")
class LabWalkthroughTest {
  @TempDir static Path dataDir;
  static Vertx vertx;
  static AllInOne lab;

  record Result(int code, String out, String err) {}

  @BeforeAll
  static void start() throws Exception {
    Settings settings = Settings.of(Map.of("db.data-dir", dataDir.resolve("pg").toString(),
        "api.port", "0", "rest.port", "0", "scheduler.port", "0", "mac-allocator.port", "0", "arp.port", "0",
        "lab.network.port", "0", "lab.compute1.port", "0", "lab.compute2.port", "0"));
    vertx = VertxBootstrap.start(settings).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    lab = AllInOne.start(vertx, settings).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      lab.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  static Result dvrctl(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] full = new String[args.length + 2];
    full[0] = "--server";
    full[1] = "127.0.0.1:" + lab.apiPort();
    System.arraycopy(args, 0, full, 2, args.length);
    int code = Dvrctl.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), full);
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static String ok(String... args) {
    Result r = dvrctl(args);
    assertThat(r.code()).as(String.join(" ", args) + "\n" + r.err()).isZero();
    return r.out();
  }

  @Test
  @Order(1)
  @DisplayName("the three host agents register and show alive in agent-list")
  void agentsAlive() {
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      String agents = ok("agent-list");
      assertThat(agents.lines().filter(l -> l.contains(":-)"))).hasSize(3);
      assertThat(agents).contains("| network  |", "| compute1 |", "| compute2 |", "L3 agent");
    });
  }

  @Test
  @Order(2)
  @DisplayName("the seed's networks, router, VMs and floating IP are created by name")
  void buildSeedTopology() {
    ok("net-create", "ext-net", "--external");
    ok("subnet-create", "ext-net", "192.168.1.0/24", "--name", "ext-subnet", "--gateway", "192.168.1.1",
        "--allocation-pool", "start=192.168.1.100,end=192.168.1.200");
    for (String n : new String[] {"81", "90", "91"}) {
      ok("net-create", "net" + n);
      ok("subnet-create", "net" + n, n + ".1.180.0/24", "--name", "subnet" + n);
    }
    assertThat(ok("router-create", "dvr-r1", "--distributed", "true")).contains("| distributed ", "True");
    for (String n : new String[] {"81", "90", "91"}) {
      ok("router-interface-add", "dvr-r1", "subnet" + n);
    }
    ok("router-gateway-set", "dvr-r1", "ext-net", "--fixed-ip", "192.168.1.115");
    assertThat(ok("port-create", "net81", "--name", "vm1", "--host", "compute1", "--fixed-ip", "ip_address=81.1.180.18"))
        .contains("81.1.180.18", "compute1");
    ok("port-create", "net90", "--name", "vm2", "--host", "compute2", "--fixed-ip", "ip_address=90.1.180.6");
    assertThat(ok("floatingip-create", "ext-net", "--floating-ip-address", "192.168.1.116", "--port-id", "vm1"))
        .contains("192.168.1.116", "81.1.180.18");
  }

  @Test
  @Order(3)
  @DisplayName("router-show lists the three .1 interfaces with SNAT ports and the 192.168.1.115 gateway")
  void routerShow() {
    String shown = ok("router-show", "dvr-r1");
    assertThat(shown).contains("81.1.180.1 ", "90.1.180.1 ", "91.1.180.1 ", "192.168.1.115");
    String snat = ok("port-list", "--device-owner", "network:router_centralized_snat");
    assertThat(snat.lines().filter(l -> l.startsWith("| ") && !l.contains("mac_address"))).hasSize(3);
  }

  @Test
  @Order(4)
  @DisplayName("l3-agent-list-hosting-router shows compute1 and compute2 alive")
  void hostingRouter() {
    String hosts = ok("l3-agent-list-hosting-router", "dvr-r1");
    assertThat(hosts).contains("| compute1 |", "| compute2 |", ":-)");
  }

  @Test
  @Order(5)
  @DisplayName("an error is printed with its status and a non-zero exit code, and --json is parseable")
  void errorsAndJson() {
    Result inUse = dvrctl("net-delete", "net81");
    assertThat(inUse.code()).isEqualTo(1);
    assertThat(inUse.err()).startsWith("Error (FAILED_PRECONDITION): network '").contains("in use");
    Result missing = dvrctl("router-show", "no-such-router");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("no-such-router");
    String json = ok("--json", "floatingip-list");
    assertThat(json.trim()).startsWith("[").endsWith("]").contains("\"floating_ip_address\": \"192.168.1.116\"");
  }
}

package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.gateway.TestSecurity;
import io.dvr.proto.v1.GetRouterRequest;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterInterface;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenStack client itself (Debian's python3-openstackclient: client 6.0, openstacksdk 0.101,
 * keystoneauth1 5.0) against the lab's Neutron REST face: the seed's topology made, read and
 * removed by {@code openstack} commands, and the errors it reports for bad input.
 */
@DisplayName("The openstack client drives the lab through the Neutron REST face")
class OpenStackClientTest {
  private static final Duration COMMAND_LIMIT = Duration.ofSeconds(90);
  @TempDir static Path home;

  @BeforeAll
  static void clientInstalled() {
    Assumptions.assumeTrue(onPath("openstack"), "the openstack client is not installed (apt-get install -y"
        + " python3-openstackclient; .ci/run installs it)");
  }

  @Test
  @DisplayName("over TLS with a token (auth type admin_token): the seed's topology, its agents, bad input, and the deletes")
  void seedTopologyWithToken(@TempDir Path dataDir) {
    try (LabFixture lab = LabFixture.start(dataDir.resolve("pg"), Map.of())) {
      String token = lab.lab.adminTokenFile().map(io.dvr.gateway.ApiClient::tokenIn).orElseThrow();
      Osc osc = new Osc(List.of("--os-auth-type", "admin_token", "--os-token", token,
          "--os-endpoint", "https://127.0.0.1:" + lab.lab.restPort(),
          "--os-cacert", TestSecurity.dir().resolve("ca.pem").toString()));

      JsonObject ext = osc.json("network", "create", "--external", "ext-net");
      assertThat(ext.getBoolean("router:external")).isTrue();
      JsonObject extSubnet = osc.json("subnet", "create", "--network", "ext-net", "--subnet-range", "192.168.1.0/24",
          "--gateway", "192.168.1.1", "--allocation-pool", "start=192.168.1.100,end=192.168.1.200", "--no-dhcp",
          "ext-subnet");
      assertThat(extSubnet.getJsonArray("allocation_pools").getJsonObject(0).getString("start"))
          .isEqualTo("192.168.1.100");
      String[][] nets = {{"net1", "subnet81", "81.1.180.0/24"}, {"net2", "subnet90", "90.1.180.0/24"},
          {"net3", "subnet91", "91.1.180.0/24"}};
      for (String[] n : nets) {
        osc.json("network", "create", n[0]);
        JsonObject subnet = osc.json("subnet", "create", "--network", n[0], "--subnet-range", n[2], n[1]);
        assertThat(subnet.getString("gateway_ip")).isEqualTo(n[2].replace("0/24", "1"));
      }
      JsonObject router = osc.json("router", "create", "--distributed", "dvr-r1");
      assertThat(router.getBoolean("distributed")).isTrue();
      for (String[] n : nets) {
        osc.ok("router", "add", "subnet", "dvr-r1", n[1]);
      }
      osc.ok("router", "set", "--external-gateway", "ext-net", "--fixed-ip",
          "subnet=ext-subnet,ip-address=192.168.1.115", "dvr-r1");
      JsonObject vm1 = osc.json("port", "create", "--network", "net1", "--host", "compute1", "--device-owner",
          "compute:nova", "--fixed-ip", "subnet=subnet81,ip-address=81.1.180.18", "vm1");
      assertThat(vm1.getString("binding_host_id")).isEqualTo("compute1");
      JsonObject vm2 = osc.json("port", "create", "--network", "net2", "--host", "compute2", "--device-owner",
          "compute:nova", "--fixed-ip", "ip-address=90.1.180.6", "vm2");
      assertThat(vm2.getJsonArray("fixed_ips").getJsonObject(0).getString("ip_address")).isEqualTo("90.1.180.6");
      JsonObject fip = osc.json("floating", "ip", "create", "--port", "vm1", "--floating-ip-address", "192.168.1.116",
          "ext-net");
      assertThat(fip.getString("router_id")).isEqualTo(router.getString("id"));
      assertThat(fip.getString("fixed_ip_address")).isEqualTo("81.1.180.18");

      // What the client made is what the gRPC face shows.
      Router made = lab.api.call(RouterServiceGrpcClient.GetRouter, GetRouterRequest.newBuilder()
          .setId(router.getString("id")).build());
      assertThat(made.getInterfacesList().stream().map(RouterInterface::getIpAddress))
          .containsExactlyInAnyOrder("81.1.180.1", "90.1.180.1", "91.1.180.1");
      assertThat(made.getExternalGatewayInfo().getExternalFixedIps(0).getIpAddress()).isEqualTo("192.168.1.115");

      JsonObject shown = osc.json("router", "show", "dvr-r1");
      assertThat(shown.getJsonObject("external_gateway_info").getString("network_id")).isEqualTo(ext.getString("id"));
      assertThat(shown.getString("status")).isEqualTo("ACTIVE");
      // The hosts of the VM ports carry the router, the dvr_snat host its SNAT.
      Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
          assertThat(hosts(osc.jsonList("network", "agent", "list", "--router", "dvr-r1")))
              .containsExactlyInAnyOrder("compute1", "compute2", "network"));

      // Bad input: the client reports Neutron's status and the service's message.
      Result badCidr = osc.run("subnet", "create", "--network", "net3", "--subnet-range", "10.0.0.0/33", "bad");
      assertThat(badCidr.exit()).isNotZero();
      assertThat(badCidr.err()).contains("BadRequestException: 400").contains("cidr '10.0.0.0/33'");
      Result taken = osc.run("port", "create", "--network", "net1", "--fixed-ip",
          "subnet=subnet81,ip-address=81.1.180.18", "twin");
      assertThat(taken.exit()).isNotZero();
      assertThat(taken.err()).contains("409").contains("81.1.180.18");
      Result inUse = osc.run("network", "delete", "net1");
      assertThat(inUse.exit()).isNotZero();
      assertThat(inUse.err()).contains("ConflictException: 409").contains("in use");
      Result missing = osc.run("router", "show", "no-such-router");
      assertThat(missing.exit()).isNotZero();
      assertThat(missing.err()).contains("No Router found for no-such-router");
      Result forged = new Osc(List.of("--os-auth-type", "admin_token", "--os-token", "forged",
          "--os-endpoint", "https://127.0.0.1:" + lab.lab.restPort(),
          "--os-cacert", TestSecurity.dir().resolve("ca.pem").toString())).run("network", "list");
      assertThat(forged.exit()).isNotZero();
      assertThat(forged.err()).contains("401");

      osc.ok("floating", "ip", "delete", "192.168.1.116");
      osc.ok("port", "delete", "vm1", "vm2");
      osc.ok("router", "unset", "--external-gateway", "dvr-r1");
      for (String[] n : nets) {
        osc.ok("router", "remove", "subnet", "dvr-r1", n[1]);
      }
      osc.ok("router", "delete", "dvr-r1");
      for (String[] n : nets) {
        osc.ok("subnet", "delete", n[1]);
        osc.ok("network", "delete", n[0]);
      }
      assertThat(osc.jsonList("router", "list")).isEmpty();
      assertThat(osc.jsonList("network", "list").stream().map(n -> ((JsonObject) n).getString("Name")))
          .containsExactly("ext-net");
    }
  }

  @Test
  @DisplayName("insecure (auth type none, plain HTTP): the client needs no token, as against Neutron's noauth")
  void noauth(@TempDir Path dataDir) {
    try (LabFixture lab = LabFixture.start(dataDir.resolve("pg"), Map.of("insecure", "true"))) {
      Osc osc = new Osc(List.of("--os-auth-type", "none", "--os-endpoint", "http://127.0.0.1:" + lab.lab.restPort()));
      JsonObject net = osc.json("network", "create", "--external", "public");
      assertThat(net.getString("project_id")).isEqualTo("admin");
      assertThat(hosts(osc.jsonList("network", "agent", "list"))).containsExactlyInAnyOrder("compute1", "compute2",
          "network");
      osc.ok("network", "delete", "public");
    }
  }

  private static Set<String> hosts(JsonArray agents) {
    return agents.stream().map(a -> ((JsonObject) a).getString("Host")).collect(Collectors.toSet());
  }

  record Result(int exit, String out, String err) {}

  /** The openstack command with fixed options, in a home of its own (no clouds.yaml, no OS_* from outside). */
  record Osc(List<String> options) {
    Result run(String... args) {
      List<String> command = new ArrayList<>(List.of("openstack"));
      command.addAll(options);
      command.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().keySet().removeIf(k -> k.startsWith("OS_"));
      pb.environment().put("HOME", home.toString());
      try {
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(COMMAND_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new AssertionError("openstack " + String.join(" ", args) + " did not end within " + COMMAND_LIMIT);
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    void ok(String... args) {
      Result r = run(args);
      assertThat(r.exit()).as("openstack %s: %s", String.join(" ", args), r.err()).isZero();
    }

    JsonObject json(String... args) {
      return new JsonObject(output(args));
    }

    JsonArray jsonList(String... args) {
      return new JsonArray(output(args));
    }

    private String output(String... args) {
      List<String> withFormat = new ArrayList<>(List.of(args));
      withFormat.addAll(List.of("-f", "json"));
      Result r = run(withFormat.toArray(String[]::new));
      assertThat(r.exit()).as("openstack %s: %s", String.join(" ", args), r.err()).isZero();
      return r.out();
    }
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    return path != null && java.util.Arrays.stream(path.split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, command)));
  }
}

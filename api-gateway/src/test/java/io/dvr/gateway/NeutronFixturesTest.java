package io.dvr.gateway;

import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.ReportAgentStateRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The REST face answers each request of the Networking v2.0 API reference with the reference's JSON, field by field")
class NeutronFixturesTest {
  /** The fixtures in the order they build on each other (each may use what the earlier ones captured). */
  static final List<String> ORDER = List.of(
      "versions", "extensions-show",
      "networks-create-external", "subnets-create-allocation-pool", "networks-create", "subnets-create",
      "networks-show", "networks-show-fields", "networks-list-filter", "networks-list-paged", "networks-list-next-page",
      "networks-update", "networks-update-stale-revision", "errors-read-only-attribute",
      "subnets-show", "subnets-list",
      "routers-create-distributed", "routers-add-interface-subnet", "routers-set-gateway", "routers-show",
      "ports-create-bound", "ports-show", "ports-list-filter", "ports-list-fixed-ip", "ports-update",
      "errors-network-in-use",
      "floatingips-create-port", "floatingips-disassociate", "floatingips-associate", "floatingips-list",
      "agents-list", "agents-show", "agents-update",
      "errors-network-not-found", "errors-id-not-uuid", "errors-unknown-filter", "errors-unknown-attribute",
      "errors-bad-cidr",
      "subnets-create-second", "ports-create-router-port", "routers-add-interface-port", "ports-show-router-interface",
      "errors-port-in-use", "ports-create-two-ips", "errors-port-several-fixed-ips", "ports-create-on-router-subnet",
      "errors-subnet-already-on-router", "ports-delete-two-ips", "ports-delete-on-router-subnet",
      "routers-remove-interface-added-by-port", "subnets-delete-second",
      "floatingips-delete", "ports-delete", "routers-remove-interface-port", "routers-clear-gateway", "routers-delete",
      "subnets-delete", "networks-delete");

  @TempDir static Path dataDir;
  static GatewayFixture gw;
  static NeutronFixtures fixtures;

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
    // An L3 agent on compute1, registered as the host agent does: a port bound there is plugged (vif_type ovs).
    Agent agent = gw.asAgent("compute1").call(AgentServiceGrpcClient.ReportAgentState, ReportAgentStateRequest.newBuilder()
        .setHost("compute1").setAgentType("L3 agent").setAgentMode("dvr").setBinary("dvr-host-agent")
        .setStartFlag(true).build());
    RestClient client = RestClient.of(gw);
    fixtures = new NeutronFixtures(client, Map.of("project", "admin", "base", client.base(), "agent_id", agent.getId()));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @TestFactory
  Stream<DynamicTest> fixtures() {
    return ORDER.stream().map(name -> DynamicTest.dynamicTest(name + ": " + NeutronFixtures.load(name).getString("about"),
        () -> fixtures.run(name)));
  }
}

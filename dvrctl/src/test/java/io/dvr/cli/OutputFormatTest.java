package io.dvr.cli;

import static io.dvr.cli.Fixtures.NET1;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.ListNetworksResponse;
import io.dvr.proto.v1.ListSubnetsResponse;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.AppliedStatus;
import io.dvr.proto.v1.ConvergenceServiceGrpcClient;
import io.dvr.proto.v1.HostStatus;
import io.dvr.proto.v1.Status;
import io.dvr.proto.v1.ExternalGatewayInfo;
import io.dvr.proto.v1.FixedIp;
import io.dvr.proto.v1.ListAgentsResponse;
import io.dvr.proto.v1.ListPortsResponse;
import io.dvr.proto.v1.ListRoutersResponse;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("-f table|json|value|yaml and -c COLUMN print the tables' fields as the OpenStack client does")
class OutputFormatTest {
  private final FakeApi api = new FakeApi();

  private OutputFormatTest netList() {
    api.on(NetworkServiceGrpcClient.ListNetworks, req -> ListNetworksResponse.newBuilder()
            .addNetworks(Fixtures.net1()).addNetworks(Fixtures.net2()).build())
        .on(SubnetServiceGrpcClient.ListSubnets, req -> ListSubnetsResponse.newBuilder()
            .addSubnets(Fixtures.sub1()).addSubnets(Fixtures.sub2()).build());
    return this;
  }

  @Test
  @DisplayName("-f value -c prints the chosen fields' values alone, one per line for a show")
  void showValue() {
    api.on(NetworkServiceGrpcClient.GetNetwork, req -> Fixtures.net1());
    CliRun run = CliRun.run(api, "net-show", NET1, "-f", "value", "-c", "id", "-c", "router:external");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEqualTo(NET1 + "\nFalse\n");
  }

  @Test
  @DisplayName("-f json of a show is one object with Neutron's field names")
  void showJson() {
    api.on(NetworkServiceGrpcClient.GetNetwork, req -> Fixtures.net1());
    CliRun run = CliRun.run(api, "net-show", NET1, "-f", "json");
    JsonObject shown = new JsonObject(run.out());
    assertThat(shown.getString("id")).isEqualTo(NET1);
    assertThat(shown.getValue("router:external")).isEqualTo(false);
    assertThat(shown.getValue("admin_state_up")).isEqualTo(true);
    assertThat(shown.getValue("revision_number")).isEqualTo(3);
    assertThat(shown.getJsonArray("subnets")).isEqualTo(new JsonArray().add(Fixtures.SUB1).add(Fixtures.SUB2));
  }

  @Test
  @DisplayName("-f json of port-show types its fields: fixed_ips a list of objects, booleans and numbers as such")
  void portShowJson() {
    Port port = Port.newBuilder(Fixtures.vmPort()).setRevision(7).build();
    api.on(PortServiceGrpcClient.GetPort, req -> port);
    CliRun run = CliRun.run(api, "port-show", port.getId(), "-f", "json");
    assertThat(run.exitCode()).isZero();
    JsonObject shown = new JsonObject(run.out());
    assertThat(shown.getJsonArray("fixed_ips")).isEqualTo(new JsonArray()
        .add(new JsonObject().put("subnet_id", Fixtures.SUB1).put("ip_address", "81.1.180.18")));
    assertThat(shown.getValue("admin_state_up")).isEqualTo(true);
    assertThat(shown.getValue("revision_number")).isEqualTo(7);
    assertThat(shown.getString("binding:host_id")).isEqualTo("compute1");
    assertThat(shown.getString("status")).isEqualTo("ACTIVE");
    assertThat(shown.getString("mac_address")).isEqualTo("fa:16:3e:ec:f3:dd");
  }

  @Test
  @DisplayName("-f json of a router: external_gateway_info an object, or null without a gateway")
  void routerJson() {
    Router withGateway = Router.newBuilder(Fixtures.router()).setExternalGatewayInfo(ExternalGatewayInfo.newBuilder()
        .setNetworkId(Fixtures.NET2).addExternalFixedIps(FixedIp.newBuilder().setSubnetId(Fixtures.SUB2)
            .setIpAddress("91.1.180.10"))).build();
    api.on(RouterServiceGrpcClient.ListRouters, req -> ListRoutersResponse.newBuilder()
        .addRouters(withGateway).addRouters(Router.newBuilder(Fixtures.router()).setName("r2")).build());
    JsonArray rows = new JsonArray(CliRun.run(api, "router-list", "-f", "json").out());
    assertThat(rows.getJsonObject(0).getJsonObject("external_gateway_info")).isEqualTo(new JsonObject()
        .put("network_id", Fixtures.NET2).put("external_fixed_ips", new JsonArray()
            .add(new JsonObject().put("subnet_id", Fixtures.SUB2).put("ip_address", "91.1.180.10"))));
    assertThat(rows.getJsonObject(0).getValue("distributed")).isEqualTo(true);
    assertThat(rows.getJsonObject(1).containsKey("external_gateway_info")).isTrue();
    assertThat(rows.getJsonObject(1).getValue("external_gateway_info")).isNull();
  }

  @Test
  @DisplayName("net-list -f json is an array of objects with the list's columns, subnets a list of ids")
  void netListJson() {
    netList();
    CliRun run = CliRun.run(api, "net-list", "-f", "json");
    assertThat(run.exitCode()).isZero();
    JsonArray rows = new JsonArray(run.out());
    assertThat(rows).hasSize(2);
    assertThat(rows.getJsonObject(0)).isEqualTo(new JsonObject().put("id", NET1).put("name", "net1")
        .put("subnets", new JsonArray().add(Fixtures.SUB1).add(Fixtures.SUB2)));
    assertThat(rows.getJsonObject(1).getJsonArray("subnets")).isEmpty();
  }

  @Test
  @DisplayName("-f value prints one row per line, values separated by spaces, booleans as True/False, lists as JSON")
  void listValue() {
    api.on(AgentServiceGrpcClient.ListAgents, req -> ListAgentsResponse.newBuilder()
        .addAgents(Fixtures.agent("a1", "network", true)).addAgents(Fixtures.agent("a2", "compute1", false)).build());
    assertThat(CliRun.run(api, "agent-list", "-f", "value", "-c", "host", "-c", "alive").out())
        .isEqualTo("network True\ncompute1 False\n");
    api.on(PortServiceGrpcClient.ListPorts, req -> ListPortsResponse.newBuilder().addPorts(Fixtures.vmPort()).build());
    assertThat(CliRun.run(api, "port-list", "-f", "value", "-c", "name", "-c", "fixed_ips").out())
        .isEqualTo("vm1 [{\"subnet_id\":\"" + Fixtures.SUB1 + "\",\"ip_address\":\"81.1.180.18\"}]\n");
  }

  @Test
  @DisplayName("host-status -f json: status as the table shows it, generations as numbers, no error as null")
  void hostStatusJson() {
    api.on(ConvergenceServiceGrpcClient.GetHostStatus, req -> HostStatus.newBuilder().setHost("compute1")
        .addRouters(AppliedStatus.newBuilder().setRouterId(Fixtures.ROUTER).setHost("compute1")
            .setStatus(Status.STATUS_ACTIVE).setInSync(true).setDesiredGeneration(4).setAppliedGeneration(4))
        .build());
    JsonArray rows = new JsonArray(CliRun.run(api, "host-status", "compute1", "-f", "json").out());
    assertThat(rows.getJsonObject(0)).isEqualTo(new JsonObject().put("router_id", Fixtures.ROUTER)
        .put("status", "ACTIVE").put("in_sync", true).put("desired", 4).put("applied", 4).put("snat", false)
        .putNull("last_applied").putNull("last_error"));
  }

  @Test
  @DisplayName("-f yaml is typed: booleans and numbers bare, strings quoted, fixed_ips a sequence of mappings")
  void showYaml() {
    api.on(PortServiceGrpcClient.GetPort, req -> Fixtures.vmPort());
    CliRun run = CliRun.run(api, "port-show", Fixtures.vmPort().getId(), "-f", "yaml",
        "-c", "admin_state_up", "-c", "fixed_ips", "-c", "revision_number", "-c", "binding:host_id");
    assertThat(run.out()).isEqualTo("""
        admin_state_up: true
        fixed_ips:
        - subnet_id: "%s"
          ip_address: "81.1.180.18"
        revision_number: 0
        binding:host_id: "compute1"
        """.formatted(Fixtures.SUB1));
  }

  @Test
  @DisplayName("a list in json is a list of objects keyed by column; in value, one row per line; in yaml, a sequence")
  void listFormats() {
    netList();
    JsonArray rows = new JsonArray(CliRun.run(api, "net-list", "-f", "json", "-c", "id", "-c", "name").out());
    assertThat(rows).hasSize(2);
    assertThat(rows.getJsonObject(1)).isEqualTo(new JsonObject().put("id", Fixtures.NET2).put("name", "ext"));
    assertThat(CliRun.run(api, "net-list", "-f", "value", "-c", "name").out()).isEqualTo("net1\next\n");
    assertThat(CliRun.run(api, "net-list", "-f", "yaml", "-c", "name").out()).isEqualTo("- name: \"net1\"\n"
        + "- name: \"ext\"\n");
    assertThat(CliRun.run(api, "net-list", "-c", "name").out()).isEqualTo("""
        +------+
        | name |
        +------+
        | net1 |
        | ext  |
        +------+
        """);
  }

  @Test
  @DisplayName("a create with -f value -c id prints the new id alone (for scripts); without options the notice stays")
  void createValue() {
    api.on(NetworkServiceGrpcClient.CreateNetwork, (CreateNetworkRequest req) -> Network.newBuilder(Fixtures.net1())
        .setName(req.getName()).build());
    assertThat(CliRun.run(api, "net-create", "net1", "-f", "value", "-c", "id").out()).isEqualTo(NET1 + "\n");
    assertThat(CliRun.run(api, "net-create", "net1").out()).startsWith("Created a new network:\n");
  }

  @Test
  @DisplayName("an unknown format or only unknown columns are usage errors (exit 2) saying what is known")
  void refusals() {
    api.on(NetworkServiceGrpcClient.GetNetwork, req -> Fixtures.net1());
    CliRun badFormat = CliRun.run(api, "net-show", NET1, "-f", "xml");
    assertThat(badFormat.exitCode()).isEqualTo(CliError.USAGE);
    assertThat(badFormat.err()).contains("-f 'xml'").contains("table, json, value, yaml");
    CliRun badColumn = CliRun.run(api, "net-show", NET1, "-c", "colour");
    assertThat(badColumn.exitCode()).isEqualTo(CliError.USAGE);
    assertThat(badColumn.err()).contains("No recognized column names in [colour]").contains("router:external");
  }
}

package io.dvr.cli;

import static io.dvr.cli.Fixtures.NET1;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.ListNetworksResponse;
import io.dvr.proto.v1.ListSubnetsResponse;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
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
    assertThat(shown.getString("router:external")).isEqualTo("False");
    assertThat(shown.getString("revision_number")).isEqualTo("3");
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

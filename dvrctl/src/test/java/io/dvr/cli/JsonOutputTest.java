package io.dvr.cli;

import static io.dvr.cli.Fixtures.NET1;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.util.JsonFormat;
import io.dvr.proto.v1.DeleteNetworkResponse;
import io.dvr.proto.v1.ListNetworksResponse;
import io.dvr.proto.v1.ListRoutersResponse;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class JsonOutputTest {

  private final FakeApi api = new FakeApi();

  @Test
  @DisplayName("--json show prints the message with proto field names; it parses back to the same message")
  void show() throws Exception {
    api.on(NetworkServiceGrpcClient.GetNetwork, req -> Fixtures.net1());

    CliRun run = CliRun.run(api, "net-show", NET1, "--json");

    assertThat(run.exitCode()).isZero();
    JsonObject json = JsonParser.parseString(run.out()).getAsJsonObject();
    assertThat(json.get("subnet_ids").getAsJsonArray()).hasSize(2);
    assertThat(json.get("router_external").getAsBoolean()).isFalse();
    Network.Builder parsed = Network.newBuilder();
    JsonFormat.parser().merge(run.out(), parsed);
    assertThat(parsed.build()).isEqualTo(Fixtures.net1());
  }

  @Test
  @DisplayName("--json list prints one JSON array and skips the subnet lookup the table needs")
  void list() {
    api.on(NetworkServiceGrpcClient.ListNetworks, req -> ListNetworksResponse.newBuilder()
        .addNetworks(Fixtures.net1()).addNetworks(Fixtures.net2()).build());

    CliRun run = CliRun.run(api, "--json", "net-list");

    assertThat(run.exitCode()).isZero();
    JsonArray array = JsonParser.parseString(run.out()).getAsJsonArray();
    assertThat(array).extracting(e -> e.getAsJsonObject().get("name").getAsString())
        .containsExactly("net1", "ext");
    assertThat(api.calls).extracting(FakeApi.Call::method).containsExactly("ListNetworks");
  }

  @Test
  @DisplayName("--json of an empty list is an empty array, not nothing")
  void emptyList() {
    api.on(RouterServiceGrpcClient.ListRouters, req -> ListRoutersResponse.getDefaultInstance());

    CliRun run = CliRun.run(api, "router-list", "--json");

    assertThat(JsonParser.parseString(run.out()).getAsJsonArray()).isEmpty();
  }

  @Test
  @DisplayName("--json create and delete print only JSON, without neutron's notice lines")
  void createAndDelete() {
    api.on(NetworkServiceGrpcClient.CreateNetwork, req -> Fixtures.net1())
        .on(NetworkServiceGrpcClient.DeleteNetwork, req -> DeleteNetworkResponse.getDefaultInstance());

    CliRun created = CliRun.run(api, "net-create", "net1", "--json");
    CliRun deleted = CliRun.run(api, "net-delete", NET1, "--json");

    JsonElement network = JsonParser.parseString(created.out());
    assertThat(network.getAsJsonObject().get("id").getAsString()).isEqualTo(NET1);
    assertThat(JsonParser.parseString(deleted.out()).isJsonObject()).isTrue();
  }

  @Test
  @DisplayName("--json prints fields left at their defaults, so scripts find every key")
  void defaultsPrinted() {
    api.on(NetworkServiceGrpcClient.GetNetwork, req -> Network.newBuilder().setId(NET1).build());

    CliRun run = CliRun.run(api, "net-show", NET1, "--json");

    JsonObject json = JsonParser.parseString(run.out()).getAsJsonObject();
    assertThat(json.has("admin_state_up")).isTrue();
    assertThat(json.get("name").getAsString()).isEmpty();
  }
}

package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.grpc.RpcFailure;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreatePortsRequest;
import io.dvr.proto.v1.CreatePortsResponse;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Subnet;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Bulk port create (CreatePorts, POST /v2.0/ports {\"ports\": [...]}): every port or none, errors name the index")
class BulkPortCreateTest {
  @TempDir static Path dataDir;
  static GatewayFixture gw;

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static CreatePortRequest.Builder port(Subnet subnet, String name) {
    return CreatePortRequest.newBuilder().setNetworkId(subnet.getNetworkId()).setName(name)
        .setDeviceOwner("compute:nova").setBindingHost("compute1");
  }

  static int portsOn(Network net) {
    return gw.call(PortServiceGrpcClient.ListPorts, ListPortsRequest.newBuilder().setNetworkId(net.getId()).build())
        .getPortsCount();
  }

  @Test
  @DisplayName("CreatePorts makes every port, in the order asked, each with its own address")
  void makesAll() {
    Network net = SeedTopology.network(gw, "bulk");
    Subnet subnet = SeedTopology.subnet(gw, net, "bulk", "10.71.0.0/24");
    CreatePortsResponse made = gw.call(PortServiceGrpcClient.CreatePorts, CreatePortsRequest.newBuilder()
        .addPorts(port(subnet, "a")).addPorts(port(subnet, "b")
            .addFixedIps(FixedIpRequest.newBuilder().setIpAddress("10.71.0.50")))
        .addPorts(port(subnet, "c")).build());
    assertThat(made.getPortsList()).extracting(Port::getName).containsExactly("a", "b", "c");
    assertThat(made.getPortsList()).extracting(p -> p.getFixedIps(0).getIpAddress())
        .containsExactly("10.71.0.2", "10.71.0.50", "10.71.0.3");
    assertThat(portsOn(net)).isEqualTo(3);
  }

  @Test
  @DisplayName("one port refused (its address taken) fails the call, naming its index, and none of the ports is made")
  void allOrNothing() {
    Network net = SeedTopology.network(gw, "bulk-fail");
    Subnet subnet = SeedTopology.subnet(gw, net, "bulk-fail", "10.72.0.0/24");
    Port holder = gw.call(PortServiceGrpcClient.CreatePort, port(subnet, "holder")
        .addFixedIps(FixedIpRequest.newBuilder().setIpAddress("10.72.0.9")).build());
    RpcFailure f = gw.fail(PortServiceGrpcClient.CreatePorts, CreatePortsRequest.newBuilder()
        .addPorts(port(subnet, "a")).addPorts(port(subnet, "b"))
        .addPorts(port(subnet, "c").addFixedIps(FixedIpRequest.newBuilder().setIpAddress("10.72.0.9"))).build());
    assertThat(f.status()).isEqualTo(GrpcStatus.ALREADY_EXISTS);
    assertThat(f.getMessage()).contains("ports[2]: fixed_ips[0].ip_address '10.72.0.9' is already in use")
        .contains(holder.getId());
    assertThat(portsOn(net)).isEqualTo(1);
  }

  @Test
  @DisplayName("a bad field fails the call with INVALID_ARGUMENT naming the port's index and the field")
  void validationNamesIndexAndField() {
    Network net = SeedTopology.network(gw, "bulk-bad");
    Subnet subnet = SeedTopology.subnet(gw, net, "bulk-bad", "10.73.0.0/24");
    RpcFailure f = gw.fail(PortServiceGrpcClient.CreatePorts, CreatePortsRequest.newBuilder()
        .addPorts(port(subnet, "a")).addPorts(port(subnet, "b").addFixedIps(FixedIpRequest.newBuilder()
            .setIpAddress("10.73.0.999"))).build());
    assertThat(f.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(f.getMessage()).contains("ports[1].fixed_ips[0].ip_address '10.73.0.999'");
    assertThat(portsOn(net)).isZero();
    RpcFailure empty = gw.fail(PortServiceGrpcClient.CreatePorts, CreatePortsRequest.getDefaultInstance());
    assertThat(empty.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(empty.getMessage()).contains("ports '[]': give at least one port");
  }

  @Test
  @DisplayName("POST /v2.0/ports with {\"ports\": [...]} answers 201 with every port, or an error naming the index and nothing made")
  void restBulk() {
    Network net = SeedTopology.network(gw, "rest-bulk");
    Subnet subnet = SeedTopology.subnet(gw, net, "rest-bulk", "10.74.0.0/24");
    RestClient rest = RestClient.of(gw);
    RestClient.Response ok = rest.post("/v2.0/ports", new JsonObject().put("ports", new JsonArray()
        .add(new JsonObject().put("network_id", net.getId()).put("name", "r1"))
        .add(new JsonObject().put("network_id", net.getId()).put("name", "r2")
            .put("fixed_ips", new JsonArray().add(new JsonObject().put("ip_address", "10.74.0.40"))))));
    assertThat(ok.status()).isEqualTo(201);
    JsonArray ports = ok.body().getJsonArray("ports");
    assertThat(ports).hasSize(2);
    assertThat(ports.getJsonObject(0).getString("name")).isEqualTo("r1");
    assertThat(ports.getJsonObject(1).getJsonArray("fixed_ips").getJsonObject(0).getString("ip_address"))
        .isEqualTo("10.74.0.40");

    RestClient.Response unknown = rest.post("/v2.0/ports", new JsonObject().put("ports", new JsonArray()
        .add(new JsonObject().put("network_id", net.getId()))
        .add(new JsonObject().put("network_id", net.getId()).put("colour", "blue"))));
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.errorMessage()).startsWith("ports[1]: Unrecognized attribute(s) 'colour'");

    RestClient.Response taken = rest.post("/v2.0/ports", new JsonObject().put("ports", new JsonArray()
        .add(new JsonObject().put("network_id", net.getId()))
        .add(new JsonObject().put("network_id", net.getId())
            .put("fixed_ips", new JsonArray().add(new JsonObject().put("ip_address", "10.74.0.40"))))));
    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.errorMessage()).contains("ports[1]: fixed_ips[0].ip_address '10.74.0.40' is already in use");
    assertThat(portsOn(net)).isEqualTo(2);
  }
}

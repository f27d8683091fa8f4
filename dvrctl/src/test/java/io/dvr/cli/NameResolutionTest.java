package io.dvr.cli;

import static io.dvr.cli.Fixtures.NET1;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.ListAgentsResponse;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.ListNetworksResponse;
import io.dvr.proto.v1.ListSubnetsResponse;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NameResolutionTest {

  private final FakeApi api = new FakeApi();

  @Test
  @DisplayName("a name is looked up with a List call filtered by that name, then the id is used")
  void nameResolved() {
    api.on(NetworkServiceGrpcClient.ListNetworks, req -> ListNetworksResponse.newBuilder()
            .addNetworks(Fixtures.net1()).build())
        .on(NetworkServiceGrpcClient.GetNetwork, req -> Fixtures.net1());

    CliRun run = CliRun.run(api, "net-show", "net1");

    assertThat(run.exitCode()).isZero();
    assertThat(api.requests(NetworkServiceGrpcClient.ListNetworks).get(0).getName()).isEqualTo("net1");
    assertThat(api.requests(NetworkServiceGrpcClient.GetNetwork).get(0).getId()).isEqualTo(NET1);
  }

  @Test
  @DisplayName("a UUID is taken as the id without a lookup")
  void uuidNotLookedUp() {
    api.on(NetworkServiceGrpcClient.GetNetwork, req -> Fixtures.net1());

    CliRun run = CliRun.run(api, "net-show", NET1);

    assertThat(run.exitCode()).isZero();
    assertThat(api.calls).extracting(FakeApi.Call::method).containsExactly("GetNetwork");
  }

  @Test
  @DisplayName("no network with the name: an error naming it, exit 1, and no further call")
  void notFound() {
    api.on(NetworkServiceGrpcClient.ListNetworks, req -> ListNetworksResponse.getDefaultInstance());

    CliRun run = CliRun.run(api, "net-delete", "nope");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("Error (NOT_FOUND): network 'nope' not found\n");
    assertThat(run.out()).isEmpty();
    assertThat(api.calls).extracting(FakeApi.Call::method).containsExactly("ListNetworks");
  }

  @Test
  @DisplayName("several networks with the name: an error asking for the id")
  void ambiguous() {
    Network twin = Fixtures.net1().toBuilder().setId(Fixtures.NET2).build();
    api.on(NetworkServiceGrpcClient.ListNetworks, req -> ListNetworksResponse.newBuilder()
        .addNetworks(Fixtures.net1()).addNetworks(twin).build());

    CliRun run = CliRun.run(api, "net-show", "net1");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("Error: several networks are named 'net1'; use the id\n");
  }

  @Test
  @DisplayName("only exact name matches count, whatever the server's filter let through")
  void exactNameOnly() {
    Network similar = Fixtures.net1().toBuilder().setId(Fixtures.NET2).setName("net1-old").build();
    api.on(NetworkServiceGrpcClient.ListNetworks, req -> ListNetworksResponse.newBuilder()
            .addNetworks(Fixtures.net1()).addNetworks(similar).build())
        .on(NetworkServiceGrpcClient.GetNetwork, req -> Fixtures.net1());

    assertThat(CliRun.run(api, "net-show", "net1").exitCode()).isZero();
    assertThat(api.requests(NetworkServiceGrpcClient.GetNetwork).get(0).getId()).isEqualTo(NET1);
  }

  @Test
  @DisplayName("the lookup follows page tokens, so a match on a later page is found and a twin there counts")
  void pages() {
    Network twin = Fixtures.net1().toBuilder().setId(Fixtures.NET2).build();
    api.on(NetworkServiceGrpcClient.ListNetworks, req -> req.getPageToken().isEmpty()
        ? ListNetworksResponse.newBuilder().addNetworks(Fixtures.net1()).setNextPageToken("p2").build()
        : ListNetworksResponse.newBuilder().addNetworks(twin).build());

    CliRun run = CliRun.run(api, "net-show", "net1");

    assertThat(run.err()).contains("several networks are named 'net1'");
    assertThat(api.requests(NetworkServiceGrpcClient.ListNetworks))
        .extracting(ListNetworksRequest::getPageToken).containsExactly("", "p2");
  }

  @Test
  @DisplayName("subnet names resolve the same way, with the subnet's own words")
  void subnetNotFound() {
    api.on(SubnetServiceGrpcClient.ListSubnets, req -> ListSubnetsResponse.getDefaultInstance());

    CliRun run = CliRun.run(api, "subnet-show", "s9");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("Error (NOT_FOUND): subnet 's9' not found\n");
  }

  @Test
  @DisplayName("an agent may be named by its host")
  void agentByHost() {
    api.on(AgentServiceGrpcClient.ListAgents, req -> ListAgentsResponse.newBuilder()
            .addAllAgents(List.of(Fixtures.agent("04c360d0-3066-4f04-9af2-d4ef8586ad2b", "network", true)))
            .build())
        .on(AgentServiceGrpcClient.GetAgent, req ->
            Fixtures.agent(req.getId(), "network", true));

    CliRun run = CliRun.run(api, "agent-show", "network");

    assertThat(run.exitCode()).isZero();
    assertThat(api.requests(AgentServiceGrpcClient.ListAgents).get(0).getHost()).isEqualTo("network");
    assertThat(run.out()).contains("| agent_mode          | dvr_snat ")
        .contains("| alive               | True ");
  }

  @Test
  @DisplayName("an empty name is refused before any call, as a usage error")
  void emptyName() {
    CliRun run = CliRun.run(api, "net-show", "");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("network name or id must not be empty");
    assertThat(api.calls).isEmpty();
  }

  @Test
  @DisplayName("names inside --fixed-ip are resolved too")
  void fixedIpSubnetName() {
    api.on(NetworkServiceGrpcClient.ListNetworks, req -> ListNetworksResponse.newBuilder()
            .addNetworks(Fixtures.net1()).build())
        .on(SubnetServiceGrpcClient.ListSubnets, req -> ListSubnetsResponse.newBuilder()
            .addSubnets(Fixtures.sub1()).build())
        .on(io.dvr.proto.v1.PortServiceGrpcClient.CreatePort, req -> Fixtures.vmPort());

    CliRun run = CliRun.run(api, "port-create", "net1", "--fixed-ip", "subnet_id=sub1,ip_address=81.1.180.18",
        "--host", "compute1");

    assertThat(run.exitCode()).isZero();
    var sent = api.requests(io.dvr.proto.v1.PortServiceGrpcClient.CreatePort).get(0);
    assertThat(sent.getNetworkId()).isEqualTo(NET1);
    assertThat(sent.getFixedIps(0).getSubnetId()).isEqualTo(Fixtures.SUB1);
    assertThat(sent.getFixedIps(0).getIpAddress()).isEqualTo("81.1.180.18");
    assertThat(sent.getDeviceOwner()).isEqualTo("compute:nova");
    assertThat(sent.getBindingHost()).isEqualTo("compute1");
    assertThat(run.out()).startsWith("Created a new port:\n");
  }
}

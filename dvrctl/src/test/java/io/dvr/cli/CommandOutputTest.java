package io.dvr.cli;

import static io.dvr.cli.Fixtures.NET1;
import static io.dvr.cli.Fixtures.ROUTER;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.DeleteRouterResponse;
import io.dvr.proto.v1.ListAgentsResponse;
import io.dvr.proto.v1.ListNetworksResponse;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.ListPortsResponse;
import io.dvr.proto.v1.ListRouterHostsResponse;
import io.dvr.proto.v1.ListRoutersResponse;
import io.dvr.proto.v1.ListSubnetsResponse;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.Status;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import io.dvr.proto.v1.UpdateNetworkRequest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CommandOutputTest {

  private final FakeApi api = new FakeApi();

  @Test
  @DisplayName("net-show prints every field in a sorted Field | Value table, subnets one per line")
  void netShow() {
    api.on(NetworkServiceGrpcClient.GetNetwork, req -> Fixtures.net1());

    CliRun run = CliRun.run(api, "net-show", NET1);

    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out()).isEqualTo("""
        +--------------------------+--------------------------------------+
        | Field                    | Value                                |
        +--------------------------+--------------------------------------+
        | admin_state_up           | True                                 |
        | created_at               | 2014-11-20T10:00:00Z                 |
        | id                       | 5b1f5ef6-2a1c-4b8e-9d0c-3f1a2b3c4d5e |
        | name                     | net1                                 |
        | provider:segmentation_id | 1001                                 |
        | revision_number          | 3                                    |
        | router:external          | False                                |
        | status                   | ACTIVE                               |
        | subnets                  | 4ec65731-35a5-4637-a59b-a9f2932099f1 |
        |                          | 13888749-12b3-462e-9afe-c527bd0a297e |
        +--------------------------+--------------------------------------+
        """);
    assertThat(api.closed).isTrue();
  }

  @Test
  @DisplayName("net-list shows each subnet as 'id cidr', one per line, like neutron")
  void netList() {
    api.on(NetworkServiceGrpcClient.ListNetworks, req -> ListNetworksResponse.newBuilder()
            .addNetworks(Fixtures.net1()).addNetworks(Fixtures.net2()).build())
        .on(SubnetServiceGrpcClient.ListSubnets, req -> ListSubnetsResponse.newBuilder()
            .addSubnets(Fixtures.sub1()).addSubnets(Fixtures.sub2()).build());

    CliRun run = CliRun.run(api, "net-list");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEqualTo("""
        +--------------------------------------+------+----------------------------------------------------+
        | id                                   | name | subnets                                            |
        +--------------------------------------+------+----------------------------------------------------+
        | 5b1f5ef6-2a1c-4b8e-9d0c-3f1a2b3c4d5e | net1 | 4ec65731-35a5-4637-a59b-a9f2932099f1 81.1.180.0/24 |
        |                                      |      | 13888749-12b3-462e-9afe-c527bd0a297e 91.1.180.0/24 |
        | 6c2a6f07-3b2d-4c9f-8e1d-4a2b3c4d5e6f | ext  |                                                    |
        +--------------------------------------+------+----------------------------------------------------+
        """);
  }

  @Test
  @DisplayName("an empty list prints nothing at all, as neutron does")
  void emptyList() {
    api.on(RouterServiceGrpcClient.ListRouters, req -> ListRoutersResponse.getDefaultInstance());

    CliRun run = CliRun.run(api, "router-list");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEmpty();
  }

  @Test
  @DisplayName("agent-list has the seed's columns, with :-) and xxx for alive")
  void agentList() {
    api.on(AgentServiceGrpcClient.ListAgents, req -> ListAgentsResponse.newBuilder()
        .addAgents(Fixtures.agent("04c360d0-3066-4f04-9af2-d4ef8586ad2b", "network", true))
        .addAgents(Fixtures.agent("beec232b-48d7-4424-83e2-8cc4e49ec339", "compute1", false))
        .build());

    CliRun run = CliRun.run(api, "agent-list");

    assertThat(run.out()).isEqualTo("""
        +--------------------------------------+------------+----------+-------+----------------+------------------+
        | id                                   | agent_type | host     | alive | admin_state_up | binary           |
        +--------------------------------------+------------+----------+-------+----------------+------------------+
        | 04c360d0-3066-4f04-9af2-d4ef8586ad2b | L3 agent   | network  | :-)   | True           | neutron-l3-agent |
        | beec232b-48d7-4424-83e2-8cc4e49ec339 | L3 agent   | compute1 | xxx   | True           | neutron-l3-agent |
        +--------------------------------------+------------+----------+-------+----------------+------------------+
        """);
  }

  @Test
  @DisplayName("port-list prints fixed IPs as neutron's JSON objects and the status without its prefix")
  void portList() {
    api.on(PortServiceGrpcClient.ListPorts, req -> ListPortsResponse.newBuilder()
        .addPorts(Fixtures.vmPort()).build());

    CliRun run = CliRun.run(api, "port-list");

    String fixedIp = "{\"subnet_id\": \"4ec65731-35a5-4637-a59b-a9f2932099f1\", \"ip_address\": \"81.1.180.18\"}";
    String border = "+--------------------------------------+------+-------------------+"
        + "-".repeat(fixedIp.length() + 2) + "+-----------------+--------+";
    assertThat(run.out().split("\n")).containsExactly(
        border,
        "| id                                   | name | mac_address       | "
            + String.format("%-" + fixedIp.length() + "s", "fixed_ips") + " | binding:host_id | status |",
        border,
        "| f849ae46-4819-45f5-a805-5970d4e31951 | vm1  | fa:16:3e:ec:f3:dd | " + fixedIp
            + " | compute1        | ACTIVE |",
        border);
  }

  @Test
  @DisplayName("port-show says binding:vif_type, so a port bound to a host without an agent says binding_failed")
  void portShowVifType() {
    Port unplugged = Fixtures.vmPort().toBuilder().setBindingHost("nohost").setStatus(Status.STATUS_DOWN)
        .setBindingVifType("binding_failed").build();
    api.on(PortServiceGrpcClient.GetPort, req -> unplugged);
    api.on(PortServiceGrpcClient.ListPorts, req -> ListPortsResponse.newBuilder().addPorts(unplugged).build());

    CliRun run = CliRun.run(api, "port-show", unplugged.getId());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().lines().map(String::strip)).anySatisfy(l -> assertThat(l).matches(
        "\\| binding:vif_type +\\| binding_failed +\\|"));
    assertThat(run.out().lines().map(String::strip)).anySatisfy(l -> assertThat(l).matches(
        "\\| binding:host_id +\\| nohost +\\|"));
  }

  @Test
  @DisplayName("port-list --router filters on the router's id as device_id")
  void portListByRouter() {
    api.on(RouterServiceGrpcClient.ListRouters, req -> ListRoutersResponse.newBuilder()
            .addRouters(Fixtures.router()).build())
        .on(PortServiceGrpcClient.ListPorts, req -> ListPortsResponse.getDefaultInstance());

    CliRun run = CliRun.run(api, "port-list", "--router", "dvr-r1", "--host", "network");

    assertThat(run.exitCode()).isZero();
    ListPortsRequest sent = api.requests(PortServiceGrpcClient.ListPorts).get(0);
    assertThat(sent.getDeviceId()).isEqualTo(ROUTER);
    assertThat(sent.getBindingHost()).isEqualTo("network");
  }

  @Test
  @DisplayName("router-show prints the router's fields, then a table of its interfaces")
  void routerShow() {
    api.on(RouterServiceGrpcClient.GetRouter, req -> Fixtures.router());

    CliRun run = CliRun.run(api, "router-show", ROUTER);

    assertThat(run.out()).contains("| distributed           | True ")
        .contains("| external_gateway_info |  ")
        .contains("interfaces:\n")
        .contains("| subnet_id                            | cidr          | port_id"
            + "                              | ip_address | mac_address       | snat_port_id"
            + "                         | snat_ip_address |")
        .contains("| 4ec65731-35a5-4637-a59b-a9f2932099f1 | 81.1.180.0/24 | 517bdba3-b117-43ce-851b-bb1d039879dc"
            + " | 81.1.180.1 | fa:16:3e:63:3b:4c | 4f80ec3d-f2a0-4b1c-8d2e-1a2b3c4d5e6f | 81.1.180.17     |");
  }

  @Test
  @DisplayName("l3-agent-list-hosting-router shows the seed's columns plus which host holds SNAT")
  void hostingRouter() {
    api.on(RouterServiceGrpcClient.GetRouter, req -> Fixtures.router())
        .on(RouterServiceGrpcClient.ListRouterHosts, req -> ListRouterHostsResponse.newBuilder()
            .addHosts(RouterHost.newBuilder().setAgentId("04c360d0-3066-4f04-9af2-d4ef8586ad2b")
                .setHost("network").setAdminStateUp(true).setAlive(true).setSnat(true))
            .addHosts(RouterHost.newBuilder().setAgentId("beec232b-48d7-4424-83e2-8cc4e49ec339")
                .setHost("compute1").setAdminStateUp(true).setAlive(true))
            .build());

    CliRun run = CliRun.run(api, "l3-agent-list-hosting-router", ROUTER);

    assertThat(run.out()).isEqualTo("""
        +--------------------------------------+----------+----------------+-------+-------+
        | id                                   | host     | admin_state_up | alive | snat  |
        +--------------------------------------+----------+----------------+-------+-------+
        | 04c360d0-3066-4f04-9af2-d4ef8586ad2b | network  | True           | :-)   | True  |
        | beec232b-48d7-4424-83e2-8cc4e49ec339 | compute1 | True           | :-)   | False |
        +--------------------------------------+----------+----------------+-------+-------+
        """);
  }

  @Test
  @DisplayName("net-create sends the options and prints neutron's 'Created a new network:' line")
  void netCreate() {
    api.on(NetworkServiceGrpcClient.CreateNetwork, req -> Network.newBuilder().setId(NET1)
        .setName(req.getName()).setRouterExternal(req.getRouterExternal())
        .setAdminStateUp(req.getAdminStateUp()).setMtu(req.getMtu()).build());

    CliRun run = CliRun.run(api, "net-create", "ext-net", "--external", "--id", NET1, "--admin-state-down", "--mtu", "1400");

    assertThat(run.exitCode()).isZero();
    CreateNetworkRequest sent = api.requests(NetworkServiceGrpcClient.CreateNetwork).get(0);
    assertThat(sent.getRouterExternal()).isTrue();
    assertThat(sent.getId()).isEqualTo(NET1);
    assertThat(sent.hasAdminStateUp()).isTrue();
    assertThat(sent.getAdminStateUp()).isFalse();
    assertThat(sent.getMtu()).isEqualTo(1400);
    assertThat(run.out()).startsWith("Created a new network:\n+-----")
        .contains("| admin_state_up  | False ")
        .contains("| mtu             | 1400 ")
        .contains("| router:external | True ");
  }

  @Test
  @DisplayName("net-update --mtu sends only the MTU, for the network found by name")
  void netUpdateMtu() {
    api.on(NetworkServiceGrpcClient.ListNetworks, req -> ListNetworksResponse.newBuilder()
            .addNetworks(Fixtures.net1()).build())
        .on(NetworkServiceGrpcClient.UpdateNetwork, req -> Fixtures.net1().toBuilder().setMtu(req.getMtu()).build());

    CliRun run = CliRun.run(api, "net-update", "net1", "--mtu", "1400");

    assertThat(run.exitCode()).as(run.err()).isZero();
    UpdateNetworkRequest sent = api.requests(NetworkServiceGrpcClient.UpdateNetwork).get(0);
    assertThat(sent.getId()).isEqualTo(Fixtures.NET1);
    assertThat(sent.getMtu()).isEqualTo(1400);
    assertThat(sent.hasName()).isFalse();
    assertThat(sent.hasAdminStateUp()).isFalse();
  }

  @Test
  @DisplayName("a delete names the id it deleted, also when given a name")
  void delete() {
    api.on(RouterServiceGrpcClient.ListRouters, req -> ListRoutersResponse.newBuilder()
            .addRouters(Fixtures.router()).build())
        .on(RouterServiceGrpcClient.DeleteRouter, req -> DeleteRouterResponse.getDefaultInstance());

    CliRun run = CliRun.run(api, "router-delete", "dvr-r1");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEqualTo("Deleted router: " + ROUTER + "\n");
  }

  @Test
  @DisplayName("router-interface-add reports the new interface's port")
  void interfaceAdd() {
    api.on(RouterServiceGrpcClient.AddRouterInterface, req -> Fixtures.router());

    CliRun run = CliRun.run(api, "router-interface-add", ROUTER, "subnet=" + Fixtures.SUB1);

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEqualTo(
        "Added interface " + Fixtures.PORT + " to router " + ROUTER + ".\n");
    assertThat(api.requests(RouterServiceGrpcClient.AddRouterInterface).get(0).getSubnetId())
        .isEqualTo(Fixtures.SUB1);
  }

  @Test
  @DisplayName("router-interface-remove is neutron's other name for router-interface-delete")
  void interfaceRemoveAlias() {
    api.on(RouterServiceGrpcClient.RemoveRouterInterface, req -> Fixtures.router());

    CliRun run = CliRun.run(api, "router-interface-remove", ROUTER, Fixtures.SUB2);

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEqualTo("Removed interface from router " + ROUTER + ".\n");
  }

  @Test
  @DisplayName("--wait: after the change, waits for the router it changed on the hosts, within --wait-timeout;"
      + " the output is unchanged and the hosts are told on stderr")
  void waitForTheHosts() {
    api.on(RouterServiceGrpcClient.AddRouterInterface, req -> Fixtures.router())
        .on(io.dvr.proto.v1.ConvergenceServiceGrpcClient.WaitForChange, req -> io.dvr.proto.v1.WaitForChangeResponse
            .newBuilder().setChangeId(812).addHosts("compute1").addHosts("network").setWaitedMs(42).build());

    CliRun run = CliRun.run(api, "router-interface-add", ROUTER, "subnet=" + Fixtures.SUB1, "--wait",
        "--wait-timeout", "5");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("Added interface " + Fixtures.PORT + " to router " + ROUTER + ".\n");
    assertThat(run.err()).isEqualTo("Applied on compute1, network in 42 ms.\n");
    var wait = api.requests(io.dvr.proto.v1.ConvergenceServiceGrpcClient.WaitForChange);
    assertThat(wait).extracting(w -> w.getResourceId(), w -> w.getTimeoutMs())
        .containsExactly(org.assertj.core.groups.Tuple.tuple(ROUTER, 5000));
  }

  @Test
  @DisplayName("without --wait nothing is waited for")
  void noWait() {
    api.on(RouterServiceGrpcClient.AddRouterInterface, req -> Fixtures.router());

    CliRun run = CliRun.run(api, "router-interface-add", ROUTER, "subnet=" + Fixtures.SUB1);

    assertThat(run.err()).isEmpty();
    assertThat(api.requests(io.dvr.proto.v1.ConvergenceServiceGrpcClient.WaitForChange)).isEmpty();
  }
}

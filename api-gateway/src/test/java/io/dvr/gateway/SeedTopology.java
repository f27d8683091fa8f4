package io.dvr.gateway;

import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.CreateFloatingIpRequest;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.ReportAgentStateRequest;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterInterfaceRequest;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.SetRouterGatewayRequest;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import java.util.Set;
import java.util.stream.Collectors;

/** Builds the seed article's topology (dvr-reference.md section 11) through the gRPC API. */
public final class SeedTopology {
  public static final String ROUTER_ID = "e8f12f7a-6938-4e65-88c4-97e4cb211b27";
  public static final String EXT_NET_ID = "557e9f0c-9c66-46da-b289-218d49c218d2";

  public Network ext;
  public Subnet extSubnet;
  public Network net1;
  public Network net2;
  public Network net3;
  public Subnet sub81;
  public Subnet sub90;
  public Subnet sub91;
  public Router router;
  public Port vm1;
  public Port vm2;
  public FloatingIp fip;

  public static SeedTopology build(ApiClient gw) {
    SeedTopology t = new SeedTopology();
    // The seed's hosts whose agents are not running are registered as their agents would; running
    // agents are left alone (a report without their tunnel address would change it).
    Set<String> registered = gw.call(AgentServiceGrpcClient.ListAgents, ListAgentsRequest.getDefaultInstance())
        .getAgentsList().stream().map(Agent::getHost).collect(Collectors.toSet());
    for (String[] agent : new String[][] {{"network", "dvr_snat"}, {"compute1", "dvr"}, {"compute2", "dvr"}}) {
      if (!registered.contains(agent[0])) {
        gw.asAgent(agent[0]).call(AgentServiceGrpcClient.ReportAgentState, ReportAgentStateRequest.newBuilder().setHost(agent[0])
            .setAgentType("L3 agent").setAgentMode(agent[1]).setBinary("host-agent-svc").setStartFlag(true).build());
      }
    }
    t.ext = gw.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder()
        .setName("ext-net").setRouterExternal(true).setId(EXT_NET_ID).build());
    t.extSubnet = gw.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder()
        .setNetworkId(t.ext.getId()).setName("ext-subnet").setCidr("192.168.1.0/24").setGatewayIp("192.168.1.1")
        .addAllocationPools(io.dvr.proto.v1.AllocationPool.newBuilder().setStart("192.168.1.100").setEnd("192.168.1.200"))
        .build());
    t.net1 = network(gw, "net1");
    t.net2 = network(gw, "net2");
    t.net3 = network(gw, "net3");
    t.sub81 = subnet(gw, t.net1, "subnet81", "81.1.180.0/24");
    t.sub90 = subnet(gw, t.net2, "subnet90", "90.1.180.0/24");
    t.sub91 = subnet(gw, t.net3, "subnet91", "91.1.180.0/24");
    t.router = gw.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder()
        .setName("dvr-r1").setDistributed(true).setId(ROUTER_ID).build());
    for (Subnet s : new Subnet[] {t.sub81, t.sub90, t.sub91}) {
      gw.call(RouterServiceGrpcClient.AddRouterInterface, RouterInterfaceRequest.newBuilder()
          .setRouterId(ROUTER_ID).setSubnetId(s.getId()).build());
    }
    t.router = gw.call(RouterServiceGrpcClient.SetRouterGateway, SetRouterGatewayRequest.newBuilder()
        .setRouterId(ROUTER_ID).setNetworkId(t.ext.getId()).setIpAddress("192.168.1.115").build());
    t.vm1 = gw.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(t.net1.getId())
        .setName("vm1").setDeviceOwner("compute:nova").setBindingHost("compute1")
        .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(t.sub81.getId()).setIpAddress("81.1.180.18")).build());
    t.vm2 = gw.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(t.net2.getId())
        .setName("vm2").setDeviceOwner("compute:nova").setBindingHost("compute2")
        .addFixedIps(FixedIpRequest.newBuilder().setIpAddress("90.1.180.6")).build());
    t.fip = gw.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
        .setFloatingNetworkId(t.ext.getId()).setFloatingIpAddress("192.168.1.116").setPortId(t.vm1.getId()).build());
    return t;
  }

  public static Network network(ApiClient gw, String name) {
    return gw.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName(name).build());
  }

  public static Subnet subnet(ApiClient gw, Network net, String name, String cidr) {
    return gw.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder()
        .setNetworkId(net.getId()).setName(name).setCidr(cidr).build());
  }
}

package io.dvr.clusterit;

import io.dvr.gateway.ApiClient;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.AllocationPool;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.GetHostStateRequest;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.ListPortsResponse;
import io.dvr.proto.v1.ListingSection;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterInterfaceRequest;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.SetRouterGatewayRequest;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Building blocks through the dvr.v1 API (every call must succeed). */
final class Topology {
  static final String VM_OWNER = "compute:nova";

  private Topology() {}

  /** An external network with a /24 whose pool leaves .1 for the upstream gateway. */
  static Subnet externalSubnet(ApiClient api, String name, String prefix) {
    Network ext = api.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder()
        .setName(name).setRouterExternal(true).build());
    return api.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder()
        .setNetworkId(ext.getId()).setName(name + "-subnet").setCidr(prefix + ".0/24").setGatewayIp(prefix + ".1")
        .addAllocationPools(AllocationPool.newBuilder().setStart(prefix + ".10").setEnd(prefix + ".250")).build());
  }

  static Subnet subnet(ApiClient api, String name, String cidr) {
    Network net = api.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName(name).build());
    return api.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder()
        .setNetworkId(net.getId()).setName(name).setCidr(cidr).build());
  }

  static Router router(ApiClient api, String name) {
    return api.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder()
        .setName(name).setDistributed(true).build());
  }

  static Router attach(ApiClient api, String routerId, Subnet subnet) {
    return api.call(RouterServiceGrpcClient.AddRouterInterface, RouterInterfaceRequest.newBuilder()
        .setRouterId(routerId).setSubnetId(subnet.getId()).build());
  }

  static SetRouterGatewayRequest gateway(String routerId, String extNetworkId) {
    return SetRouterGatewayRequest.newBuilder().setRouterId(routerId).setNetworkId(extNetworkId).build();
  }

  static CreatePortRequest vm(Subnet subnet, String name, String host) {
    return CreatePortRequest.newBuilder().setNetworkId(subnet.getNetworkId()).setName(name)
        .setDeviceOwner(VM_OWNER).setBindingHost(host)
        .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(subnet.getId())).build();
  }

  /** Every port with this device owner (all pages). */
  static List<Port> ports(ApiClient api, String deviceOwner) {
    List<Port> all = new ArrayList<>();
    String token = "";
    do {
      ListPortsResponse page = api.call(PortServiceGrpcClient.ListPorts, ListPortsRequest.newBuilder()
          .setDeviceOwner(deviceOwner).setPageSize(1000).setPageToken(token).build());
      all.addAll(page.getPortsList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return all;
  }

  /** A host's state as its agent prints it (through api-gateway): section title to text, as dvrctl host-state. */
  static Map<String, String> hostState(ApiClient api, String host) {
    return api.call(AgentServiceGrpcClient.GetHostState, GetHostStateRequest.newBuilder().setHost(host).build())
        .getSectionsList().stream().collect(Collectors.toMap(ListingSection::getTitle, ListingSection::getText,
            (a, b) -> a, TreeMap::new));
  }
}

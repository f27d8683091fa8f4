package io.dvr.cli;

import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.ListFloatingIpsRequest;
import io.dvr.proto.v1.ListFloatingIpsResponse;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.ListNetworksResponse;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.ListPortsResponse;
import io.dvr.proto.v1.ListRoutersRequest;
import io.dvr.proto.v1.ListRoutersResponse;
import io.dvr.proto.v1.ListSubnetsRequest;
import io.dvr.proto.v1.ListSubnetsResponse;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** The List calls, following page tokens so that a command always sees every match. */
final class Fetch {

  private Fetch() {}

  static List<Network> networks(Api api, ListNetworksRequest filter) {
    return pages(token -> api.call(NetworkServiceGrpcClient.ListNetworks,
            filter.toBuilder().setPageToken(token).build()),
        ListNetworksResponse::getNetworksList, ListNetworksResponse::getNextPageToken);
  }

  static List<Subnet> subnets(Api api, ListSubnetsRequest filter) {
    return pages(token -> api.call(SubnetServiceGrpcClient.ListSubnets,
            filter.toBuilder().setPageToken(token).build()),
        ListSubnetsResponse::getSubnetsList, ListSubnetsResponse::getNextPageToken);
  }

  static List<Router> routers(Api api, ListRoutersRequest filter) {
    return pages(token -> api.call(RouterServiceGrpcClient.ListRouters,
            filter.toBuilder().setPageToken(token).build()),
        ListRoutersResponse::getRoutersList, ListRoutersResponse::getNextPageToken);
  }

  static List<Port> ports(Api api, ListPortsRequest filter) {
    return pages(token -> api.call(PortServiceGrpcClient.ListPorts,
            filter.toBuilder().setPageToken(token).build()),
        ListPortsResponse::getPortsList, ListPortsResponse::getNextPageToken);
  }

  static List<FloatingIp> floatingIps(Api api, ListFloatingIpsRequest filter) {
    return pages(token -> api.call(FloatingIpServiceGrpcClient.ListFloatingIps,
            filter.toBuilder().setPageToken(token).build()),
        ListFloatingIpsResponse::getFloatingIpsList, ListFloatingIpsResponse::getNextPageToken);
  }

  /** Agents are few and not paged. */
  static List<Agent> agents(Api api, ListAgentsRequest filter) {
    return api.call(AgentServiceGrpcClient.ListAgents, filter).getAgentsList();
  }

  private static <R, T> List<T> pages(
      Function<String, R> fetch, Function<R, List<T>> items, Function<R, String> next) {
    List<T> all = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String token = "";
    do {
      R page = fetch.apply(token);
      all.addAll(items.apply(page));
      token = next.apply(page);
      // A token seen before would loop forever; a server doing that has no further pages to give.
    } while (!token.isEmpty() && seen.add(token));
    return all;
  }
}

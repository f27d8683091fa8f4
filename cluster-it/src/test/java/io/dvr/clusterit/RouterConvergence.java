package io.dvr.clusterit;

import io.dvr.agent.render.Names;
import io.dvr.gateway.ApiClient;
import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.GetRouterRequest;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.ListFloatingIpsRequest;
import io.dvr.proto.v1.ListRouterHostsRequest;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.RouterInterface;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What every host must show for a router, derived from the API's own view (VM ports on the
 * router's subnets, floating IPs, the SNAT host), checked against each host's state as its agent
 * prints it (GetHostState through api-gateway): qrouter-/snat-/fip- namespaces where and only
 * where they belong, a permanent neighbour for every VM port, and l3-agent-list-hosting-router
 * equal to the hosts with ports plus the SNAT host.
 */
final class RouterConvergence {
  private final ApiClient api;
  private final Collection<String> hosts;

  RouterConvergence(ApiClient api, Collection<String> hosts) {
    this.api = api;
    this.hosts = hosts;
  }

  /** Waits until no router has a problem left; fails listing the last problems. */
  void await(Collection<String> routerIds, Duration atMost) {
    List<String> last = new ArrayList<>();
    Deadline deadline = new Deadline(atMost, () -> "hosts did not converge:\n  " + String.join("\n  ", last));
    while (true) {
      last.clear();
      routerIds.forEach(id -> last.addAll(problems(id)));
      if (last.isEmpty()) {
        return;
      }
      deadline.check();
      deadline.pause();
    }
  }

  /** Everything that does not match yet, one line each (empty: converged). */
  List<String> problems(String routerId) {
    List<String> problems = new ArrayList<>();
    Router router = api.call(RouterServiceGrpcClient.GetRouter, GetRouterRequest.newBuilder().setId(routerId).build());
    Set<String> subnets = router.getInterfacesList().stream().map(RouterInterface::getSubnetId).collect(Collectors.toSet());
    String ext = router.getExternalGatewayInfo().getNetworkId();
    List<Port> vms = Topology.ports(api, Topology.VM_OWNER).stream()
        .filter(p -> p.getFixedIpsList().stream().anyMatch(ip -> subnets.contains(ip.getSubnetId()))).toList();
    Map<String, Port> vmById = vms.stream().collect(Collectors.toMap(Port::getId, p -> p));
    Set<String> vmHosts = vms.stream().map(Port::getBindingHost).filter(h -> !h.isEmpty())
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> fipHosts = new TreeSet<>();
    if (!ext.isEmpty()) {
      for (FloatingIp fip : api.call(FloatingIpServiceGrpcClient.ListFloatingIps, ListFloatingIpsRequest.newBuilder()
          .setRouterId(routerId).setPageSize(1000).build()).getFloatingIpsList()) {
        Port port = vmById.get(fip.getPortId());
        if (port != null && !port.getBindingHost().isEmpty()) {
          fipHosts.add(port.getBindingHost());
        }
      }
    }
    List<RouterHost> listed = api.call(RouterServiceGrpcClient.ListRouterHosts,
        ListRouterHostsRequest.newBuilder().setRouterId(routerId).build()).getHostsList();
    Set<String> snat = listed.stream().filter(RouterHost::getSnat).map(RouterHost::getHost)
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> snatCapable = api.call(AgentServiceGrpcClient.ListAgents, ListAgentsRequest.getDefaultInstance())
        .getAgentsList().stream().filter(a -> a.getAgentMode().equals("dvr_snat") && a.getAlive())
        .map(Agent::getHost).collect(Collectors.toSet());
    String r = "router " + router.getName() + ": ";
    if (ext.isEmpty() ? !snat.isEmpty() : snat.size() != 1 || !snatCapable.containsAll(snat)) {
      problems.add(r + "SNAT on " + snat + " (gateway " + (ext.isEmpty() ? "unset" : "set") + ", dvr_snat hosts "
          + snatCapable + ")");
    }
    Set<String> wanted = new TreeSet<>(vmHosts);
    wanted.addAll(snat);
    Set<String> hosting = listed.stream().map(RouterHost::getHost).collect(Collectors.toCollection(TreeSet::new));
    if (!hosting.equals(wanted)) {
      problems.add(r + "l3-agent-list-hosting-router shows " + hosting + ", VM ports and SNAT need " + wanted);
    }
    String qrouter = Names.qrouterNamespace(routerId);
    String snatNs = Names.snatNamespace(routerId);
    String fipNs = ext.isEmpty() ? null : Names.fipNamespace(ext);
    for (String host : hosts) {
      Map<String, String> state = Topology.hostState(api, host);
      String netns = state.getOrDefault("ip netns", "");
      expect(problems, r + host, netns, qrouter, wanted.contains(host));
      expect(problems, r + host, netns, snatNs, snat.contains(host));
      if (fipNs != null) {
        expect(problems, r + host, netns, fipNs, fipHosts.contains(host));
      }
      if (wanted.contains(host) && netns.contains(qrouter)) {
        String neigh = state.getOrDefault(qrouter + ": ip neigh", "");
        for (Port vm : vms) {
          String ip = vm.getFixedIps(0).getIpAddress();
          boolean present = neigh.lines().anyMatch(l -> l.startsWith(ip + " dev ")
              && l.contains(" lladdr " + vm.getMacAddress() + " PERMANENT"));
          if (!present) {
            problems.add(r + host + " lacks the ARP entry " + ip + " lladdr " + vm.getMacAddress()
                + " (VM " + vm.getName() + " on " + vm.getBindingHost() + ")");
          }
        }
      }
    }
    return problems;
  }

  private static void expect(List<String> problems, String where, String netns, String namespace, boolean wanted) {
    if (netns.contains(namespace) != wanted) {
      problems.add(where + (wanted ? " lacks " : " should not have ") + namespace);
    }
  }

}

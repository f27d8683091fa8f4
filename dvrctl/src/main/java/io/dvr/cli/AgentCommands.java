package io.dvr.cli;

import static io.dvr.proto.v1.AgentServiceGrpcClient.AddRouterToAgent;
import static io.dvr.proto.v1.AgentServiceGrpcClient.DeleteAgent;
import static io.dvr.proto.v1.AgentServiceGrpcClient.RemoveRouterFromAgent;
import static io.dvr.proto.v1.AgentServiceGrpcClient.UpdateAgent;
import static io.dvr.proto.v1.AgentServiceGrpcClient.GetAgent;
import static io.dvr.proto.v1.AgentServiceGrpcClient.GetHostState;
import static io.dvr.proto.v1.RouterServiceGrpcClient.ListRouterHosts;

import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.AgentRouterRequest;
import io.dvr.proto.v1.UpdateAgentRequest;
import io.dvr.proto.v1.DeleteAgentRequest;
import io.dvr.proto.v1.DeleteAgentResponse;
import io.dvr.proto.v1.GetAgentRequest;
import io.dvr.proto.v1.GetHostStateRequest;
import io.dvr.proto.v1.HostStateListing;
import io.dvr.proto.v1.ListingSection;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.ListRouterHostsRequest;
import io.dvr.proto.v1.RouterHost;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agent-*} and {@code l3-agent-list-hosting-router}: the host agents and where routers live. */
final class AgentCommands {

  private AgentCommands() {}

  @Command(name = "agent-list", description = "List agents.")
  static final class ListAll extends CliCommand {
    @Option(names = "--host", paramLabel = "HOST", description = "Only agents on this host.")
    String host;

    @Option(names = "--agent-type", paramLabel = "TYPE", description = "Only agents of this type, e.g. 'L3 agent'.")
    String agentType;

    @Override
    protected void run() {
      ListAgentsRequest.Builder filter = ListAgentsRequest.newBuilder();
      if (host != null) {
        filter.setHost(host);
      }
      if (agentType != null) {
        filter.setAgentType(agentType);
      }
      List<Agent> agents = Fetch.agents(api(), filter.build());
      print().list(agents, Views.agents(agents));
    }
  }

  @Command(name = "agent-show", description = "Show an agent.")
  static final class Show extends CliCommand {
    @Parameters(paramLabel = "AGENT", description = "Id of the agent, or the host it runs on.")
    String agent;

    @Override
    protected void run() {
      String id = find().agent(agent);
      Agent a = call(GetAgent, GetAgentRequest.newBuilder().setId(id).build());
      print().show(a, Views.agent(a));
    }
  }

  @Command(name = "agent-delete", description = "Delete an agent (it registers again on its next report).")
  static final class Delete extends CliCommand {
    @Parameters(paramLabel = "AGENT", description = "Id of the agent, or the host it runs on.")
    String agent;

    @Override
    protected void run() {
      String id = find().agent(agent);
      DeleteAgentResponse done = call(DeleteAgent, DeleteAgentRequest.newBuilder().setId(id).build());
      print().deleted("agent", id, done);
    }
  }

  @Command(name = "l3-agent-list-hosting-router", description = "List the L3 agents hosting a router.")
  static final class HostingRouter extends CliCommand {
    @Parameters(paramLabel = "ROUTER", description = "Name or id of the router.")
    String router;

    @Override
    protected void run() {
      String id = find().router(router);
      List<RouterHost> hosts = call(ListRouterHosts,
          ListRouterHostsRequest.newBuilder().setRouterId(id).build()).getHostsList();
      print().list(hosts, Views.routerHosts(hosts));
    }
  }

  @Command(name = "host-state",
      description = "Print a host's kernel and OVS state as its agent holds it (ip rule, ip route, iptables, flows...).")
  static final class HostState extends CliCommand {
    @Parameters(paramLabel = "HOST", description = "The host, e.g. compute1.")
    String host;

    @Option(names = "--namespace", paramLabel = "NS",
        description = "Only this namespace, like 'ip netns exec NS ...' on the host.")
    String namespace;

    @Override
    protected void run() {
      GetHostStateRequest.Builder request = GetHostStateRequest.newBuilder().setHost(host);
      if (namespace != null) {
        request.setNamespace(namespace);
      }
      HostStateListing listing = call(GetHostState, request.build());
      StringBuilder text = new StringBuilder();
      for (ListingSection section : listing.getSectionsList()) {
        text.append("# ").append(section.getTitle()).append('\n').append(section.getText());
        if (!section.getText().endsWith("\n")) {
          text.append('\n');
        }
      }
      print().done(listing, text.toString().stripTrailing());
    }
  }

  @Command(name = "agent-update", description = "Update an agent: --admin-state-down on a dvr_snat host first moves its"
      + " active HA SNATs away (drain), then it takes no new router.")
  static final class Update extends CliCommand {
    @Parameters(paramLabel = "AGENT", description = "Id of the agent, or the host it runs on.")
    String agent;

    @Option(names = "--admin-state-down", description = "Set the administrative state down.")
    boolean down;

    @Option(names = "--admin-state-up", description = "Set the administrative state up.")
    boolean up;

    @Override
    protected void run() {
      if (down == up) {
        throw CliError.usage("give exactly one of --admin-state-down and --admin-state-up");
      }
      String id = find().agent(agent);
      Agent a = call(UpdateAgent, UpdateAgentRequest.newBuilder().setId(id).setAdminStateUp(up).build());
      print().updated("agent", id, a, Views.agent(a));
    }
  }

  @Command(name = "l3-agent-router-add", description = "Place a router's SNAT on a dvr_snat L3 agent's host"
      + " (a standby of an HA router; the one SNAT host of another router).")
  static final class RouterAdd extends CliCommand {
    @Parameters(index = "0", paramLabel = "AGENT", description = "Id of the L3 agent, or the host it runs on.")
    String agent;

    @Parameters(index = "1", paramLabel = "ROUTER", description = "Name or id of the router.")
    String router;

    @Override
    protected void run() {
      AgentRouterRequest request = AgentRouterRequest.newBuilder().setAgentId(find().agent(agent))
          .setRouterId(find().router(router)).build();
      List<RouterHost> hosts = call(AddRouterToAgent, request).getHostsList();
      print().list(hosts, Views.routerHosts(hosts));
    }
  }

  @Command(name = "l3-agent-router-remove", description = "Move a router's SNAT off an L3 agent's host (an HA router's"
      + " active SNAT is drained: a standby claims it before this host lets go).")
  static final class RouterRemove extends CliCommand {
    @Parameters(index = "0", paramLabel = "AGENT", description = "Id of the L3 agent, or the host it runs on.")
    String agent;

    @Parameters(index = "1", paramLabel = "ROUTER", description = "Name or id of the router.")
    String router;

    @Override
    protected void run() {
      AgentRouterRequest request = AgentRouterRequest.newBuilder().setAgentId(find().agent(agent))
          .setRouterId(find().router(router)).build();
      List<RouterHost> hosts = call(RemoveRouterFromAgent, request).getHostsList();
      print().list(hosts, Views.routerHosts(hosts));
    }
  }
}

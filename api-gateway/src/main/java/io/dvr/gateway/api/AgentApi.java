package io.dvr.gateway.api;

import io.dvr.gateway.store.RouterStore;
import io.dvr.proto.v1.ListHostsForRouterResponse;
import io.dvr.proto.v1.ListRouterHostsResponse;
import io.dvr.proto.v1.AgentRouterRequest;
import static io.dvr.gateway.api.Calls.call;

import io.dvr.gateway.api.Calls.Needs;
import io.dvr.gateway.auth.Authenticator;

import io.dvr.common.grpc.ApiError;
import io.dvr.common.model.AgentModes;
import io.dvr.gateway.store.AgentStore;
import io.dvr.store.Store;
import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.AgentServiceService;
import io.dvr.proto.v1.DeleteAgentRequest;
import io.dvr.proto.v1.DeleteAgentResponse;
import io.dvr.proto.v1.GetAgentRequest;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.ListAgentsResponse;
import io.dvr.proto.v1.ReportAgentStateRequest;
import io.dvr.proto.v1.UpdateAgentRequest;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.GetHostStateRequest;
import io.dvr.proto.v1.HostStateListing;
import io.dvr.proto.v1.TraceHostReply;
import io.dvr.proto.v1.TraceHostRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.grpc.common.GrpcStatus;
import java.util.List;
import java.util.UUID;

/**
 * dvr.v1.AgentService: agent registration, heartbeats and liveness. Agents and host state are an
 * admin's to see; ReportAgentState stays open to the host agents, which carry no user token.
 */
public final class AgentApi extends AgentServiceService {
  private static final long HOST_STATE_TIMEOUT_MS = 10_000;
  private final Vertx vertx;
  private final Store store;
  private final AgentStore agents;
  private final Authenticator auth;
  private final RouterStore routers;
  private final long busTimeoutMillis;

  /** {@code busTimeoutMillis} bounds the questions to scheduler-svc (where a router's SNAT goes). */
  public AgentApi(Authenticator auth, Vertx vertx, Store store, AgentStore agents, RouterStore routers,
      long busTimeoutMillis) {
    this.auth = auth;
    this.vertx = vertx;
    this.store = store;
    this.agents = agents;
    this.routers = routers;
    this.busTimeoutMillis = busTimeoutMillis;
  }

  @Override
  public Future<ListAgentsResponse> listAgents(ListAgentsRequest r) {
    return call(auth, "ListAgents", Needs.ADMIN, r, caller -> store.read(tx -> agents.list(tx, r.getHost(), r.getAgentType()))
        .map(list -> ListAgentsResponse.newBuilder().addAllAgents(list).build()));
  }

  @Override
  public Future<Agent> getAgent(GetAgentRequest r) {
    return call(auth, "GetAgent", Needs.ADMIN, r, caller -> {
      UUID id = Validate.id("id", r.getId());
      return store.read(tx -> agents.require(tx, id));
    });
  }

  @Override
  public Future<Agent> reportAgentState(ReportAgentStateRequest r) {
    return Calls.open("ReportAgentState", () -> {
      if (r.getHost().isEmpty()) {
        throw ApiError.invalid("host", "", "is required");
      }
      Validate.host("host", r.getHost());
      Validate.name("agent_type", r.getAgentType());
      if (AgentModes.L3_AGENT.equals(r.getAgentType()) && !AgentModes.ALL.contains(r.getAgentMode())) {
        throw ApiError.invalid("agent_mode", r.getAgentMode(), "must be one of dvr, dvr_snat, legacy");
      }
      Validate.optionalName("binary", r.getBinary());
      Validate.optionalIp("tunnel_ip", r.getTunnelIp());
      return store.write(tx -> agents.report(tx, r).compose(id -> agents.require(tx, id)));
    });
  }

  @Override
  public Future<HostStateListing> getHostState(GetHostStateRequest r) {
    return call(auth, "GetHostState", Needs.ADMIN, r, caller -> {
      String host = Validate.host("host", r.getHost());
      if (host.isEmpty()) {
        throw ApiError.invalid("host", "", "is required");
      }
      Validate.optionalName("namespace", r.getNamespace());
      // Only a registered host has an agent to ask; the agent answers over the event bus.
      return store.read(tx -> agents.list(tx, host, ""))
          .compose(registered -> {
            if (registered.isEmpty()) {
              throw new ApiError(GrpcStatus.NOT_FOUND, "host '" + host + "' not found: no agent has registered on it");
            }
            return Bus.request(vertx, EventAddresses.hostState(host), r, HostStateListing.parser(), HOST_STATE_TIMEOUT_MS)
                .recover(err -> Future.failedFuture(err instanceof ApiError ? err
                    : ApiError.unavailable("the agent of host '" + host + "' " + whyNoAnswer(err, registered))));
          });
    });
  }

  @Override
  public Future<TraceHostReply> traceHost(TraceHostRequest r) {
    return call(auth, "TraceHost", Needs.ADMIN, r, caller -> {
      String host = Validate.host("host", r.getHost());
      if (host.isEmpty()) {
        throw ApiError.invalid("host", "", "is required");
      }
      if (!r.getFromHost().isEmpty()) {
        Validate.host("from_host", r.getFromHost());
      }
      // The agent checks the rest (the packet, exactly one ingress): it is the one that walks it.
      return store.read(tx -> agents.list(tx, host, ""))
          .compose(registered -> {
            if (registered.isEmpty()) {
              throw new ApiError(GrpcStatus.NOT_FOUND, "host '" + host + "' not found: no agent has registered on it");
            }
            return Bus.request(vertx, EventAddresses.hostTrace(host), r, TraceHostReply.parser(), HOST_STATE_TIMEOUT_MS)
                .recover(err -> Future.failedFuture(err instanceof ApiError ? err
                    : ApiError.unavailable("the agent of host '" + host + "' " + whyNoAnswer(err, registered))));
          });
    });
  }

  /** Why a registered host's agent gave no state, in the user's terms (no bus addresses). */
  private static String whyNoAnswer(Throwable err, List<Agent> registered) {
    String alive = registered.stream().anyMatch(Agent::getAlive) ? "" : " and has sent no heartbeat lately";
    if (err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
      return "is not running" + alive;
    }
    if (err instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
      return "did not answer within " + HOST_STATE_TIMEOUT_MS / 1000 + " s" + alive;
    }
    return "did not answer" + alive;
  }

  @Override
  public Future<Agent> updateAgent(UpdateAgentRequest r) {
    return call(auth, "UpdateAgent", Needs.ADMIN_WRITE, r, caller -> {
      UUID id = Validate.id("id", r.getId());
      return store.write(tx -> (r.hasAdminStateUp() ? agents.setAdminState(tx, id, r.getAdminStateUp())
          : Future.<Void>succeededFuture()).compose(v -> agents.require(tx, id)));
    });
  }

  @Override
  public Future<DeleteAgentResponse> deleteAgent(DeleteAgentRequest r) {
    return call(auth, "DeleteAgent", Needs.ADMIN_WRITE, r, caller -> {
      UUID id = Validate.id("id", r.getId());
      return store.write(tx -> agents.delete(tx, id)).map(v -> DeleteAgentResponse.getDefaultInstance());
    });
  }

  @Override
  public Future<ListRouterHostsResponse> addRouterToAgent(AgentRouterRequest r) {
    return placeSnat("AddRouterToAgent", EventAddresses.SNAT_ROUTER_ADD, r, true);
  }

  @Override
  public Future<ListRouterHostsResponse> removeRouterFromAgent(AgentRouterRequest r) {
    return placeSnat("RemoveRouterFromAgent", EventAddresses.SNAT_ROUTER_REMOVE, r, false);
  }

  /**
   * l3-agent-router-add / -remove: the agent must be an (admin-up, to add) dvr_snat L3 agent and
   * the router exist; where its SNAT goes is scheduler-svc's to write, asked over the bus.
   */
  private Future<ListRouterHostsResponse> placeSnat(String operation, String address, AgentRouterRequest r, boolean add) {
    return call(auth, operation, Needs.ADMIN_WRITE, r, caller -> {
      UUID agentId = Validate.id("agent_id", r.getAgentId());
      UUID routerId = Validate.id("router_id", r.getRouterId());
      return store.read(tx -> agents.require(tx, agentId).compose(agent -> routers.require(tx, routerId).map(router -> agent)))
          .compose(agent -> {
            if (!"L3 agent".equals(agent.getAgentType()) || !"dvr_snat".equals(agent.getAgentMode())) {
              throw new ApiError(GrpcStatus.FAILED_PRECONDITION, "agent '" + agentId + "' on host '" + agent.getHost()
                  + "' is a " + agent.getAgentType() + (agent.getAgentMode().isEmpty() ? "" : " in mode '" + agent.getAgentMode() + "'")
                  + ": a router's SNAT goes only on an L3 agent in mode 'dvr_snat'");
            }
            if (add && !agent.getAdminStateUp()) {
              throw new ApiError(GrpcStatus.FAILED_PRECONDITION, "agent '" + agentId + "' on host '" + agent.getHost()
                  + "' is administratively down: it takes no new router");
            }
            AgentRouterRequest ask = AgentRouterRequest.newBuilder().setAgentId(agentId.toString())
                .setRouterId(routerId.toString()).build();
            return Bus.request(vertx, address, ask, ListHostsForRouterResponse.parser(), busTimeoutMillis)
                .recover(err -> NoAnswer.unavailable(err, "scheduler-svc did not place the SNAT of router '" + routerId + "'",
                    busTimeoutMillis));
          })
          .map(hosts -> ListRouterHostsResponse.newBuilder().addAllHosts(hosts.getHostsList()).build());
    });
  }
}

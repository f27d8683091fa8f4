package io.dvr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.AgentRouterRequest;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.ListAgentsResponse;
import io.dvr.proto.v1.UpdateAgentRequest;
import io.dvr.proto.v1.HaState;
import io.dvr.proto.v1.ListRouterHostsResponse;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("HA routers in dvrctl: router-create --ha, the ha_state column, SNAT placed by hand")
class HaCommandsTest {
  static final String ROUTER = "8604a0de-7f6b-409a-a47c-a1cc7bc77b2e";
  static final String AGENT_A = "04c360d0-3066-4f04-9af2-d4ef8586ad2b";
  static final String AGENT_B = "2ef04905-4a37-4de8-a8f0-9c6488a592b7";
  private final FakeApi api = new FakeApi();

  @Test
  @DisplayName("router-create --ha sends ha=true and shows ha; without it ha is not sent")
  void routerCreateHa() {
    api.on(RouterServiceGrpcClient.CreateRouter, req -> Router.newBuilder().setId(ROUTER).setName(req.getName())
        .setDistributed(true).setHa(req.getHa()).build());

    CliRun run = CliRun.run(api, "router-create", "r1", "--ha");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(api.requests(RouterServiceGrpcClient.CreateRouter).get(0).getHa()).isTrue();
    assertThat(run.out()).contains("| ha                    | True ");

    CliRun plain = CliRun.run(api, "router-create", "r2");
    assertThat(plain.exitCode()).as(plain.err()).isZero();
    CreateRouterRequest sent = api.requests(RouterServiceGrpcClient.CreateRouter).get(1);
    assertThat(sent.hasHa()).isFalse();
    assertThat(plain.out()).contains("| ha                    | False ");
  }

  @Test
  @DisplayName("l3-agent-list-hosting-router shows an ha_state column (active/standby) for an HA router")
  void hostingHaRouter() {
    api.on(RouterServiceGrpcClient.GetRouter, req -> Fixtures.router())
        .on(RouterServiceGrpcClient.ListRouterHosts, req -> ListRouterHostsResponse.newBuilder()
            .addHosts(RouterHost.newBuilder().setAgentId(AGENT_A).setHost("network1").setAdminStateUp(true)
                .setAlive(true).setSnat(true).setHaState(HaState.HA_STATE_ACTIVE))
            .addHosts(RouterHost.newBuilder().setAgentId(AGENT_B).setHost("network2").setAdminStateUp(true)
                .setAlive(true).setSnat(true).setHaState(HaState.HA_STATE_STANDBY))
            .build());

    CliRun run = CliRun.run(api, "l3-agent-list-hosting-router", ROUTER);

    assertThat(run.out()).isEqualTo("""
        +--------------------------------------+----------+----------------+-------+------+----------+
        | id                                   | host     | admin_state_up | alive | snat | ha_state |
        +--------------------------------------+----------+----------------+-------+------+----------+
        | 04c360d0-3066-4f04-9af2-d4ef8586ad2b | network1 | True           | :-)   | True | active   |
        | 2ef04905-4a37-4de8-a8f0-9c6488a592b7 | network2 | True           | :-)   | True | standby  |
        +--------------------------------------+----------+----------------+-------+------+----------+
        """);
  }

  @Test
  @DisplayName("during a drain l3-agent-list-hosting-router shows the old active host as active (draining)")
  void hostingDrainingRouter() {
    api.on(RouterServiceGrpcClient.GetRouter, req -> Fixtures.router())
        .on(RouterServiceGrpcClient.ListRouterHosts, req -> ListRouterHostsResponse.newBuilder()
            .addHosts(RouterHost.newBuilder().setAgentId(AGENT_A).setHost("network1").setAdminStateUp(false)
                .setAlive(true).setSnat(true).setHaState(HaState.HA_STATE_ACTIVE).setDraining(true))
            .addHosts(RouterHost.newBuilder().setAgentId(AGENT_B).setHost("network2").setAdminStateUp(true)
                .setAlive(true).setSnat(true).setHaState(HaState.HA_STATE_ACTIVE))
            .build());

    CliRun run = CliRun.run(api, "l3-agent-list-hosting-router", ROUTER);

    assertThat(run.out()).contains("| network1 | False          | :-)   | True | active (draining) |")
        .contains("| network2 | True           | :-)   | True | active            |");
  }

  @Test
  @DisplayName("l3-agent-router-add / -remove send the agent (found by host) and router, and print the router's hosts")
  void placeByHand() {
    api.on(AgentServiceGrpcClient.ListAgents, req -> ListAgentsResponse.newBuilder()
            .addAgents(Agent.newBuilder().setId(AGENT_B).setHost("network2").setAgentType("L3 agent")).build())
        .on(RouterServiceGrpcClient.GetRouter, req -> Router.newBuilder().setId(req.getId()).build())
        .on(AgentServiceGrpcClient.AddRouterToAgent, req -> ListRouterHostsResponse.newBuilder()
            .addHosts(RouterHost.newBuilder().setAgentId(AGENT_A).setHost("network1").setAdminStateUp(true)
                .setAlive(true).setSnat(true).setHaState(HaState.HA_STATE_ACTIVE))
            .addHosts(RouterHost.newBuilder().setAgentId(AGENT_B).setHost("network2").setAdminStateUp(true)
                .setAlive(true).setSnat(true).setHaState(HaState.HA_STATE_STANDBY)).build())
        .on(AgentServiceGrpcClient.RemoveRouterFromAgent, req -> ListRouterHostsResponse.newBuilder()
            .addHosts(RouterHost.newBuilder().setAgentId(AGENT_A).setHost("network1").setAdminStateUp(true)
                .setAlive(true).setSnat(true).setHaState(HaState.HA_STATE_ACTIVE)).build());

    CliRun added = CliRun.run(api, "l3-agent-router-add", "network2", ROUTER);
    assertThat(added.exitCode()).as(added.err()).isZero();
    AgentRouterRequest sent = api.requests(AgentServiceGrpcClient.AddRouterToAgent).get(0);
    assertThat(sent.getAgentId()).isEqualTo(AGENT_B);
    assertThat(sent.getRouterId()).isEqualTo(ROUTER);
    assertThat(added.out()).contains("| network2 | True           | :-)   | True | standby  |");

    CliRun removed = CliRun.run(api, "l3-agent-router-remove", AGENT_B, ROUTER);
    assertThat(removed.exitCode()).as(removed.err()).isZero();
    assertThat(api.requests(AgentServiceGrpcClient.RemoveRouterFromAgent).get(0).getAgentId()).isEqualTo(AGENT_B);
    assertThat(removed.out()).doesNotContain("network2");
  }

  @Test
  @DisplayName("agent-update --admin-state-down sends admin_state_up=false; neither or both flags is a usage error")
  void agentUpdate() {
    api.on(AgentServiceGrpcClient.UpdateAgent, req -> Agent.newBuilder().setId(req.getId()).setHost("network1")
        .setAgentType("L3 agent").setAdminStateUp(req.getAdminStateUp()).build());
    CliRun down = CliRun.run(api, "agent-update", AGENT_A, "--admin-state-down");
    assertThat(down.exitCode()).as(down.err()).isZero();
    UpdateAgentRequest sent = api.requests(AgentServiceGrpcClient.UpdateAgent).get(0);
    assertThat(sent.hasAdminStateUp()).isTrue();
    assertThat(sent.getAdminStateUp()).isFalse();
    assertThat(down.out()).contains("Updated agent: " + AGENT_A);
    CliRun neither = CliRun.run(api, "agent-update", AGENT_A);
    assertThat(neither.exitCode()).isNotZero();
    assertThat(neither.err()).contains("exactly one of --admin-state-down and --admin-state-up");
  }
}

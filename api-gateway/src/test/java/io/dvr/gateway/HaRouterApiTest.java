package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.bus.EventAddresses;
import io.dvr.common.grpc.RpcFailure;
import io.dvr.proto.v1.AgentRouterRequest;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.ReportAgentStateRequest;
import io.dvr.proto.v1.GetRouterRequest;
import io.dvr.proto.v1.IssueTokenRequest;
import io.dvr.proto.v1.ListRouterHostsRequest;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.TokenServiceGrpcClient;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("HA routers through the API: ha=true for distributed routers, by admins, shown in replies and on the REST face")
class HaRouterApiTest {
  @TempDir static Path dataDir;
  static GatewayFixture gw;
  static ApiClient member;
  static String memberToken;
  static RestClient rest;

  @BeforeAll
  static void start() {
    // No scheduler-svc runs beside this gateway: a valid placement finds nobody to answer it (UNAVAILABLE).
    gw = GatewayFixture.start(dataDir.resolve("pg"), java.util.Map.of("bus.request-timeout-ms", "1000"));
    memberToken = gw.call(TokenServiceGrpcClient.IssueToken, IssueTokenRequest.newBuilder().setProjectId("alpha")
        .setRole("member").setTtlSeconds(3600).build()).getToken();
    member = gw.as(memberToken);
    rest = RestClient.of(gw);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  @DisplayName("an admin creates an HA router: Router.ha in the reply and in GetRouter; other routers say ha=false")
  void adminCreatesHaRouter() {
    Router ha = gw.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("ha1").setHa(true).build());
    assertThat(ha.getHa()).isTrue();
    assertThat(ha.getDistributed()).isTrue();
    assertThat(gw.call(RouterServiceGrpcClient.GetRouter, GetRouterRequest.newBuilder().setId(ha.getId()).build()).getHa())
        .isTrue();
    Router plain = gw.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("plain").build());
    assertThat(plain.getHa()).isFalse();
  }

  @Test
  @DisplayName("ha on a centralized router is INVALID_ARGUMENT naming ha; a member asking for ha is PERMISSION_DENIED naming ha")
  void refusals() {
    RpcFailure centralized = gw.fail(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("c")
        .setDistributed(false).setHa(true).build());
    assertThat(centralized.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(centralized.detail()).startsWith("ha 'true': is only for a distributed router");
    RpcFailure byMember = member.fail(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("m")
        .setHa(true).build());
    assertThat(byMember.status()).isEqualTo(GrpcStatus.PERMISSION_DENIED);
    assertThat(byMember.detail()).isEqualTo("ha 'true': only an admin may create a highly available router");
    Router mine = member.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("m")
        .setHa(false).build());
    assertThat(mine.getHa()).as("ha=false asks for nothing an admin must allow").isFalse();
  }

  @Test
  @DisplayName("REST: POST /v2.0/routers takes ha and shows it; ha=true on a centralized router is 400, by a member 403")
  void restFace() {
    RestClient.Response created = rest.post("/v2.0/routers", new JsonObject().put("router",
        new JsonObject().put("name", "rest-ha").put("ha", true)));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    JsonObject router = created.body().getJsonObject("router");
    assertThat(router.getBoolean("ha")).isTrue();
    assertThat(rest.get("/v2.0/routers/" + router.getString("id")).body().getJsonObject("router").getBoolean("ha")).isTrue();

    RestClient.Response centralized = rest.post("/v2.0/routers", new JsonObject().put("router",
        new JsonObject().put("name", "c").put("ha", true).put("distributed", false)));
    assertThat(centralized.status()).as(centralized.text()).isEqualTo(400);
    assertThat(centralized.errorMessage()).contains("ha 'true'");
    RestClient.Response byMember = rest.as(memberToken).post("/v2.0/routers", new JsonObject().put("router",
        new JsonObject().put("name", "m").put("ha", true)));
    assertThat(byMember.status()).as(byMember.text()).isEqualTo(403);
    assertThat(byMember.errorMessage()).contains("ha 'true'");
  }

  @Test
  @DisplayName("scheduler-svc not running or not answering: UNAVAILABLE saying so in the user's terms, without the bus's addresses")
  void schedulerNotAnswering() {
    String snat = agent("network8", "dvr_snat");
    Router router = gw.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("q").setHa(true).build());
    RpcFailure notRunning = gw.fail(AgentServiceGrpcClient.AddRouterToAgent, place(snat, router.getId()));
    assertThat(notRunning.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(notRunning.detail()).isEqualTo("scheduler-svc did not place the SNAT of router '" + router.getId()
        + "': it is not running");
    RpcFailure hosts = gw.fail(RouterServiceGrpcClient.ListRouterHosts, ListRouterHostsRequest.newBuilder()
        .setRouterId(router.getId()).build());
    assertThat(hosts.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(hosts.detail()).isEqualTo("scheduler-svc did not say where router '" + router.getId()
        + "' lives: it is not running");
    RestClient.Response rest503 = rest.get("/v2.0/routers/" + router.getId() + "/l3-agents");
    assertThat(rest503.status()).as(rest503.text()).isEqualTo(503);
    assertThat(rest503.errorMessage()).endsWith("lives: it is not running");

    // A scheduler-svc that takes the question and never answers (bus.request-timeout-ms is 1000 here).
    MessageConsumer<Object> silent = gw.vertx.eventBus().consumer(EventAddresses.SNAT_ROUTER_REMOVE, m -> { });
    try {
      RpcFailure timedOut = gw.fail(AgentServiceGrpcClient.RemoveRouterFromAgent, place(snat, router.getId()));
      assertThat(timedOut.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
      assertThat(timedOut.detail()).isEqualTo("scheduler-svc did not place the SNAT of router '" + router.getId()
          + "': it did not answer within 1000 ms");
    } finally {
      ApiClient.await(silent.unregister());
    }
  }

  static String agent(String host, String mode) {
    return gw.asAgent(host).call(AgentServiceGrpcClient.ReportAgentState, ReportAgentStateRequest.newBuilder()
        .setHost(host).setAgentType("L3 agent").setAgentMode(mode).build()).getId();
  }

  static AgentRouterRequest place(String agent, String router) {
    return AgentRouterRequest.newBuilder().setAgentId(agent).setRouterId(router).build();
  }

  @Test
  @DisplayName("AddRouterToAgent/RemoveRouterFromAgent: admin only; a dvr agent is FAILED_PRECONDITION naming it and its mode;"
      + " unknown ids NOT_FOUND; a valid request goes to scheduler-svc (UNAVAILABLE naming it when none answers)")
  void placementByHand() {
    String snat = agent("network9", "dvr_snat");
    String dvr = agent("compute9", "dvr");
    Router router = gw.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("p").setHa(true).build());

    RpcFailure byMember = member.fail(AgentServiceGrpcClient.AddRouterToAgent, place(snat, router.getId()));
    assertThat(byMember.status()).isEqualTo(GrpcStatus.PERMISSION_DENIED);
    assertThat(byMember.detail()).isEqualTo("AddRouterToAgent is for admins only");
    RpcFailure onDvr = gw.fail(AgentServiceGrpcClient.AddRouterToAgent, place(dvr, router.getId()));
    assertThat(onDvr.status()).isEqualTo(GrpcStatus.FAILED_PRECONDITION);
    assertThat(onDvr.detail()).isEqualTo("agent '" + dvr + "' on host 'compute9' is a L3 agent in mode 'dvr':"
        + " a router's SNAT goes only on an L3 agent in mode 'dvr_snat'");
    String unknown = "0f0f0f0f-0000-4000-8000-000000000001";
    RpcFailure noRouter = gw.fail(AgentServiceGrpcClient.RemoveRouterFromAgent, place(snat, unknown));
    assertThat(noRouter.status()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(noRouter.detail()).contains(unknown);
    RpcFailure noAgent = gw.fail(AgentServiceGrpcClient.AddRouterToAgent, place(unknown, router.getId()));
    assertThat(noAgent.status()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(noAgent.detail()).contains(unknown);
    RpcFailure noScheduler = gw.fail(AgentServiceGrpcClient.AddRouterToAgent, place(snat, router.getId()));
    assertThat(noScheduler.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(noScheduler.detail()).contains("scheduler-svc", router.getId());

    // The REST face: the same checks, Neutron's statuses.
    RestClient.Response wrongMode = rest.post("/v2.0/agents/" + dvr + "/l3-routers",
        new JsonObject().put("router_id", router.getId()));
    assertThat(wrongMode.status()).as(wrongMode.text()).isEqualTo(409);
    assertThat(wrongMode.errorMessage()).contains(dvr, "'dvr'");
    RestClient.Response noBody = rest.post("/v2.0/agents/" + snat + "/l3-routers", new JsonObject());
    assertThat(noBody.status()).as(noBody.text()).isEqualTo(400);
    RestClient.Response gone = rest.delete("/v2.0/agents/" + snat + "/l3-routers/" + unknown);
    assertThat(gone.status()).as(gone.text()).isEqualTo(404);
    RestClient.Response unanswered = rest.delete("/v2.0/agents/" + snat + "/l3-routers/" + router.getId());
    assertThat(unanswered.status()).as(unanswered.text()).isEqualTo(503);
    RestClient.Response memberRest = rest.as(memberToken).post("/v2.0/agents/" + snat + "/l3-routers",
        new JsonObject().put("router_id", router.getId()));
    assertThat(memberRest.status()).as(memberRest.text()).isEqualTo(403);
  }
}

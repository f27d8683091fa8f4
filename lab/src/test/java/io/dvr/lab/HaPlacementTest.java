package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.render.Names;
import io.dvr.cli.Dvrctl;
import io.dvr.common.grpc.RpcFailure;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.RestClient;
import io.dvr.gateway.SeedTopology;
import io.dvr.gateway.TestSecurity;
import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.AgentRouterRequest;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.AllocationPool;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.HaState;
import io.dvr.proto.v1.IssueTokenRequest;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.ListRouterHostsRequest;
import io.dvr.proto.v1.ListRouterHostsResponse;
import io.dvr.proto.v1.ListRoutersRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.RouterInterfaceRequest;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import io.dvr.proto.v1.TokenServiceGrpcClient;
import io.dvr.proto.v1.UpdateAgentRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HA router's SNAT placed, moved by hand and drained through the real parts: api-gateway on an
 * embedded PostgreSQL, scheduler-svc, and the in-memory agents of the lab plus a second dvr_snat
 * host (network2), all renewing their SNAT leases. Every step is read back over gRPC
 * (l3-agent-list-hosting-router), over REST (GET /v2.0/routers/{id}/l3-agents) and in the hosts'
 * simulated kernels (who holds the gateway address in the snat- namespace).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("HA SNAT placement end to end: active/standby shown on both faces, moved by l3-agent-router-remove/add and by a drain, bad input refused without a change")
class HaPlacementTest {
  static final String GATEWAY_IP = "192.168.1.115";
  static final List<String> SNAT_HOSTS = List.of("network", "network2");
  static final Duration CONVERGE = Duration.ofSeconds(30);

  @TempDir static Path dataDir;
  static LabFixture fx;
  static RestClient rest;
  static String memberToken;
  static Router router;
  static String snatNs;

  @BeforeAll
  static void build() {
    fx = LabFixture.start(dataDir.resolve("pg"), Map.of());
    ApiClient.await(fx.lab.addHost("network2", "dvr_snat", 0));
    Awaitility.await().atMost(CONVERGE).until(() -> fx.routersOf("network2").getDvrMac().startsWith("fa:16:3f"));
    String adminToken = ApiClient.tokenIn(fx.lab.adminTokenFile().orElseThrow());
    rest = RestClient.to("https", fx.lab.restPort(), TestSecurity.dir(), adminToken);
    memberToken = fx.api.call(TokenServiceGrpcClient.IssueToken, IssueTokenRequest.newBuilder().setProjectId("alpha")
        .setRole("member").setTtlSeconds(3600).build()).getToken();
    Network ext = fx.api.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder()
        .setName("ext-net").setRouterExternal(true).build());
    fx.api.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder().setNetworkId(ext.getId())
        .setName("ext-subnet").setCidr("192.168.1.0/24").setGatewayIp("192.168.1.1")
        .addAllocationPools(AllocationPool.newBuilder().setStart("192.168.1.100").setEnd("192.168.1.200")).build());
    Network net = SeedTopology.network(fx.api, "ha-net");
    Subnet subnet = SeedTopology.subnet(fx.api, net, "ha-subnet", "10.20.0.0/24");
    router = fx.api.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("ha-r1")
        .setHa(true).setGatewayNetworkId(ext.getId()).setGatewayIpAddress(GATEWAY_IP).build());
    fx.api.call(RouterServiceGrpcClient.AddRouterInterface, RouterInterfaceRequest.newBuilder()
        .setRouterId(router.getId()).setSubnetId(subnet.getId()).build());
    fx.api.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(net.getId())
        .setName("vm1").setDeviceOwner("compute:nova").setBindingHost("compute1")
        .addFixedIps(FixedIpRequest.newBuilder().setSubnetId(subnet.getId()).setIpAddress("10.20.0.10")).build());
    snatNs = Names.snatNamespace(router.getId());
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  // ---- reading the state back ----

  /** The router's SNAT hosts and their roles as l3-agent-list-hosting-router shows them (gRPC). */
  static Map<String, String> roles() {
    return roles(fx.api.call(RouterServiceGrpcClient.ListRouterHosts,
        ListRouterHostsRequest.newBuilder().setRouterId(router.getId()).build()));
  }

  static Map<String, String> roles(ListRouterHostsResponse hosts) {
    Map<String, String> roles = new TreeMap<>();
    for (RouterHost h : hosts.getHostsList()) {
      if (h.getSnat()) {
        roles.put(h.getHost(), h.getHaState() == HaState.HA_STATE_ACTIVE ? "active"
            : h.getHaState() == HaState.HA_STATE_STANDBY ? "standby" : "single");
      }
    }
    return roles;
  }

  /** The same over REST: the agents carrying the router that show an ha_state. */
  static Map<String, String> restRoles() {
    RestClient.Response r = rest.get("/v2.0/routers/" + router.getId() + "/l3-agents");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    Map<String, String> roles = new TreeMap<>();
    r.body().getJsonArray("agents").stream().map(JsonObject.class::cast).filter(a -> a.containsKey("ha_state"))
        .forEach(a -> roles.put(a.getString("host"), a.getString("ha_state")));
    return roles;
  }

  /** Whether the host's snat- namespace holds the router's gateway address (the active role on the host). */
  static boolean holds(String host) {
    return fx.host(host).ipNetns().contains(snatNs) && fx.host(host).ipAddr(snatNs).contains(GATEWAY_IP + "/");
  }

  /** Whether the host has the router's snat- namespace at all. */
  static boolean hasSnat(String host) {
    return fx.host(host).ipNetns().contains(snatNs);
  }

  /**
   * Waits until both faces show exactly {@code expected} and the kernels follow: the active host
   * holds the gateway address, a standby has the snat- namespace without it, the others none.
   */
  static void awaitRoles(Map<String, String> expected) {
    Awaitility.await("roles " + expected).atMost(CONVERGE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      assertThat(roles()).as("gRPC").isEqualTo(expected);
      assertThat(restRoles()).as("REST").isEqualTo(expected);
      for (String host : SNAT_HOSTS) {
        String role = expected.get(host);
        assertThat(holds(host)).as("%s holds %s", host, GATEWAY_IP).isEqualTo("active".equals(role));
        assertThat(hasSnat(host)).as("%s has %s", host, snatNs).isEqualTo(role != null);
      }
    });
  }

  static String agentId(String host) {
    return agent(host).getId();
  }

  static Agent agent(String host) {
    return fx.api.call(AgentServiceGrpcClient.ListAgents, ListAgentsRequest.newBuilder().setHost(host).build())
        .getAgentsList().stream().filter(a -> a.getAgentType().equals("L3 agent")).findFirst().orElseThrow();
  }

  static AgentRouterRequest place(String agentId, String routerId) {
    return AgentRouterRequest.newBuilder().setAgentId(agentId).setRouterId(routerId).build();
  }

  static String other(String host) {
    return SNAT_HOSTS.get(1 - SNAT_HOSTS.indexOf(host));
  }

  /** The host that is active now (both faces agree, one standby beside it). */
  static String active() {
    Awaitility.await("one active and one standby").atMost(CONVERGE).until(() -> roles().values().stream().sorted().toList()
        .equals(List.of("active", "standby")));
    String active = roles().entrySet().stream().filter(e -> e.getValue().equals("active")).findFirst().orElseThrow().getKey();
    awaitRoles(Map.of(active, "active", other(active), "standby"));
    return active;
  }

  // ---- the tests ----

  @Test
  @Order(1)
  @DisplayName("the HA router is placed on both dvr_snat hosts: one active (holds the gateway address), one standby (snat- without it), on gRPC and REST alike")
  void placedActiveAndStandby() {
    String active = active();
    assertThat(SNAT_HOSTS).contains(active);
    assertThat(hasSnat("compute1")).as("no SNAT on a dvr host").isFalse();
  }

  @Test
  @Order(2)
  @DisplayName("l3-agent-router-remove of the active host moves the active role to the standby and the removed host lets go; l3-agent-router-add brings it back as standby")
  void removeAndAddByHand() {
    String was = active();
    String next = other(was);
    ListRouterHostsResponse removed = fx.api.call(AgentServiceGrpcClient.RemoveRouterFromAgent,
        place(agentId(was), router.getId()));
    assertThat(roles(removed)).as("the reply: still active until the other host claims").containsKey(next);
    awaitRoles(Map.of(next, "active"));

    ListRouterHostsResponse added = fx.api.call(AgentServiceGrpcClient.AddRouterToAgent, place(agentId(was), router.getId()));
    assertThat(roles(added)).as("the reply lists the host as standby").isEqualTo(Map.of(was, "standby", next, "active"));
    awaitRoles(Map.of(was, "standby", next, "active"));
  }

  @Test
  @Order(3)
  @DisplayName("agent-update --admin-state-down of the active host drains it (the standby becomes active, the drained host hosts nothing); --admin-state-up makes it a standby again")
  void drainAndBack() {
    String was = active();
    String next = other(was);
    Agent down = fx.api.call(AgentServiceGrpcClient.UpdateAgent, UpdateAgentRequest.newBuilder().setId(agentId(was))
        .setAdminStateUp(false).build());
    assertThat(down.getAdminStateUp()).isFalse();
    awaitRoles(Map.of(next, "active"));
    // While down it takes no router by hand either (refused before anything is asked of scheduler-svc).
    refused(fx.api.fail(AgentServiceGrpcClient.AddRouterToAgent, place(agentId(was), router.getId())),
        GrpcStatus.FAILED_PRECONDITION, "on host '" + was + "' is administratively down");
    awaitRoles(Map.of(next, "active"));

    // Back up over the REST face (PUT /v2.0/agents/{id}), as a Neutron client does it.
    RestClient.Response up = rest.put("/v2.0/agents/" + agentId(was), new JsonObject().put("agent",
        new JsonObject().put("admin_state_up", true)));
    assertThat(up.status()).as(up.text()).isEqualTo(200);
    awaitRoles(Map.of(was, "standby", next, "active"));
  }

  @Test
  @Order(4)
  @DisplayName("the same through dvrctl (l3-agent-list-hosting-router, l3-agent-router-remove/-add, agent-update) and the REST face (DELETE/POST /v2.0/agents/{id}/l3-routers)")
  void throughDvrctlAndRest() {
    String was = active();
    String next = other(was);
    assertThat(dvrctlRoles()).isEqualTo(Map.of(was, "active", next, "standby"));

    dvrctlOk("l3-agent-router-remove", was, "ha-r1");
    awaitRoles(Map.of(next, "active"));
    assertThat(dvrctlRoles()).isEqualTo(Map.of(next, "active"));
    dvrctlOk("l3-agent-router-add", was, "ha-r1");
    awaitRoles(Map.of(was, "standby", next, "active"));

    RestClient.Response removed = rest.delete("/v2.0/agents/" + agentId(next) + "/l3-routers/" + router.getId());
    assertThat(removed.status()).as(removed.text()).isEqualTo(204);
    awaitRoles(Map.of(was, "active"));
    RestClient.Response added = rest.post("/v2.0/agents/" + agentId(next) + "/l3-routers",
        new JsonObject().put("router_id", router.getId()));
    assertThat(added.status()).as(added.text()).isEqualTo(201);
    awaitRoles(Map.of(was, "active", next, "standby"));

    dvrctlOk("agent-update", was, "--admin-state-down");
    awaitRoles(Map.of(next, "active"));
    dvrctlOk("agent-update", was, "--admin-state-up");
    awaitRoles(Map.of(was, "standby", next, "active"));
    assertThat(dvrctlRoles()).isEqualTo(Map.of(was, "standby", next, "active"));

    Result onDvr = dvrctl("l3-agent-router-add", "compute1", "ha-r1");
    assertThat(onDvr.code()).as(onDvr.out()).isNotZero();
    assertThat(onDvr.err()).contains("on host 'compute1' is a L3 agent in mode 'dvr'");
    awaitRoles(Map.of(was, "standby", next, "active"));
  }

  @Test
  @Order(5)
  @DisplayName("bad input is refused with the right gRPC and HTTP status and a message naming the field and the value, and changes nothing")
  void badInputChangesNothing() {
    String active = active();
    String standby = other(active);
    Map<String, String> before = Map.of(active, "active", standby, "standby");
    String snatAgent = agentId(standby);
    String dvrAgent = agentId("compute1");
    String unknown = "0f0f0f0f-0000-4000-8000-000000000001";
    int routersBefore = fx.api.call(RouterServiceGrpcClient.ListRouters, ListRoutersRequest.getDefaultInstance())
        .getRoutersCount();

    // An unknown agent, an unknown router.
    refused(fx.api.fail(AgentServiceGrpcClient.AddRouterToAgent, place(unknown, router.getId())),
        GrpcStatus.NOT_FOUND, "agent '" + unknown + "' not found");
    refused(fx.api.fail(AgentServiceGrpcClient.RemoveRouterFromAgent, place(snatAgent, unknown)),
        GrpcStatus.NOT_FOUND, "router '" + unknown + "' not found");
    refused(fx.api.fail(AgentServiceGrpcClient.UpdateAgent, UpdateAgentRequest.newBuilder().setId(unknown)
        .setAdminStateUp(false).build()), GrpcStatus.NOT_FOUND, "agent '" + unknown + "' not found");
    refused(fx.api.fail(AgentServiceGrpcClient.AddRouterToAgent, place("not-an-id", router.getId())),
        GrpcStatus.INVALID_ARGUMENT, "agent_id 'not-an-id'");
    refused(fx.api.fail(AgentServiceGrpcClient.AddRouterToAgent, place(snatAgent, "not-an-id")),
        GrpcStatus.INVALID_ARGUMENT, "router_id 'not-an-id'");
    restRefused(rest.post("/v2.0/agents/" + unknown + "/l3-routers", new JsonObject().put("router_id", router.getId())),
        404, unknown);
    restRefused(rest.delete("/v2.0/agents/" + snatAgent + "/l3-routers/" + unknown), 404, unknown);

    // A dvr agent (not dvr_snat) takes no SNAT; its host is named with its mode.
    refused(fx.api.fail(AgentServiceGrpcClient.AddRouterToAgent, place(dvrAgent, router.getId())),
        GrpcStatus.FAILED_PRECONDITION, "agent '" + dvrAgent + "' on host 'compute1' is a L3 agent in mode 'dvr'");
    restRefused(rest.post("/v2.0/agents/" + dvrAgent + "/l3-routers", new JsonObject().put("router_id", router.getId())),
        409, "mode 'dvr'");

    // A non-distributed router cannot be HA; a router without a gateway has no SNAT to place.
    refused(fx.api.fail(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("central")
        .setDistributed(false).setHa(true).build()), GrpcStatus.INVALID_ARGUMENT, "ha 'true': is only for a distributed router");
    restRefused(rest.post("/v2.0/routers", new JsonObject().put("router", new JsonObject().put("name", "central")
        .put("distributed", false).put("ha", true))), 400, "ha 'true'");
    Router noGateway = fx.api.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("no-gw")
        .setHa(true).build());
    refused(fx.api.fail(AgentServiceGrpcClient.AddRouterToAgent, place(snatAgent, noGateway.getId())),
        GrpcStatus.FAILED_PRECONDITION, "router '" + noGateway.getId() + "' has no external gateway");
    // A non-HA router's SNAT removed from a host that does not carry it.
    Router single = fx.api.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("single")
        .setGatewayNetworkId(router.getExternalGatewayInfo().getNetworkId()).build());
    String singleHost = Awaitility.await("the non-HA router's one SNAT host").atMost(CONVERGE).until(() -> fx.api.call(
            RouterServiceGrpcClient.ListRouterHosts, ListRouterHostsRequest.newBuilder().setRouterId(single.getId()).build())
        .getHostsList().stream().filter(RouterHost::getSnat).map(RouterHost::getHost).findFirst().orElse(null),
        h -> h != null);
    String notCarrying = other(singleHost);
    refused(fx.api.fail(AgentServiceGrpcClient.RemoveRouterFromAgent, place(agentId(notCarrying), single.getId())),
        GrpcStatus.FAILED_PRECONDITION, "router '" + single.getId() + "' has no SNAT on host '" + notCarrying + "'");

    // A member's token: every placement call is an admin's.
    ApiClient member = fx.api.as(memberToken);
    refused(member.fail(AgentServiceGrpcClient.AddRouterToAgent, place(snatAgent, router.getId())),
        GrpcStatus.PERMISSION_DENIED, "AddRouterToAgent is for admins only");
    refused(member.fail(AgentServiceGrpcClient.RemoveRouterFromAgent, place(agentId(active), router.getId())),
        GrpcStatus.PERMISSION_DENIED, "RemoveRouterFromAgent is for admins only");
    refused(member.fail(AgentServiceGrpcClient.UpdateAgent, UpdateAgentRequest.newBuilder().setId(agentId(active))
        .setAdminStateUp(false).build()), GrpcStatus.PERMISSION_DENIED, "UpdateAgent is for admins only");
    refused(member.fail(RouterServiceGrpcClient.ListRouterHosts, ListRouterHostsRequest.newBuilder()
        .setRouterId(router.getId()).build()), GrpcStatus.PERMISSION_DENIED, "ListRouterHosts is for admins only");
    RestClient asMember = rest.as(memberToken);
    assertThat(asMember.delete("/v2.0/agents/" + agentId(active) + "/l3-routers/" + router.getId()).status()).isEqualTo(403);
    assertThat(asMember.post("/v2.0/agents/" + snatAgent + "/l3-routers", new JsonObject().put("router_id", router.getId()))
        .status()).isEqualTo(403);
    assertThat(asMember.put("/v2.0/agents/" + agentId(active), new JsonObject().put("agent",
        new JsonObject().put("admin_state_up", false))).status()).isEqualTo(403);
    assertThat(asMember.get("/v2.0/routers/" + router.getId() + "/l3-agents").status()).isEqualTo(403);

    // Nothing changed: the HA router's roles, the non-HA router's host, the agents' states, no router created.
    awaitRoles(before);
    assertThat(roles(fx.api.call(RouterServiceGrpcClient.ListRouterHosts, ListRouterHostsRequest.newBuilder()
        .setRouterId(single.getId()).build()))).isEqualTo(Map.of(singleHost, "single"));
    for (String host : List.of("network", "network2", "compute1")) {
      assertThat(agent(host).getAdminStateUp()).as("%s admin state", host).isTrue();
    }
    assertThat(fx.api.call(RouterServiceGrpcClient.ListRouters, ListRoutersRequest.getDefaultInstance()).getRoutersCount())
        .as("routers: the one without gateway and the non-HA one were created here, no centralized HA router")
        .isEqualTo(routersBefore + 2);
  }

  record Result(int code, String out, String err) {}

  /** dvrctl in this process against the lab, as an admin (the lab's CA and admin token). */
  static Result dvrctl(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> full = new ArrayList<>(List.of("--server", "127.0.0.1:" + fx.lab.apiPort(),
        "--ca", TestSecurity.dir().resolve("ca.pem").toString(),
        "--token-file", fx.lab.adminTokenFile().orElseThrow().toString()));
    full.addAll(List.of(args));
    int code = Dvrctl.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), full.toArray(String[]::new));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static String dvrctlOk(String... args) {
    Result r = dvrctl(args);
    assertThat(r.code()).as(String.join(" ", args) + "\n" + r.err()).isZero();
    return r.out();
  }

  /** The ha_state column of l3-agent-list-hosting-router, per host (rows without one left out). */
  static Map<String, String> dvrctlRoles() {
    Map<String, String> roles = new TreeMap<>();
    List<String> rows = dvrctlOk("l3-agent-list-hosting-router", "ha-r1").lines().filter(l -> l.startsWith("| ")).toList();
    List<String> header = cells(rows.get(0));
    for (String row : rows.subList(1, rows.size())) {
      List<String> cells = cells(row);
      String role = cells.get(header.indexOf("ha_state"));
      if (!role.isEmpty()) {
        roles.put(cells.get(header.indexOf("host")), role);
      }
    }
    return roles;
  }

  static List<String> cells(String row) {
    return java.util.Arrays.stream(row.substring(1, row.length() - 1).split("\\|")).map(String::trim).toList();
  }

  static void refused(RpcFailure failure, GrpcStatus status, String message) {
    assertThat(failure.status()).as(failure.detail()).isEqualTo(status);
    assertThat(failure.detail()).contains(message);
  }

  static void restRefused(RestClient.Response response, int status, String message) {
    assertThat(response.status()).as(response.text()).isEqualTo(status);
    assertThat(response.errorMessage()).contains(message);
  }
}

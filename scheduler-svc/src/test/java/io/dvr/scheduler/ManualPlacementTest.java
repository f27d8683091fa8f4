package io.dvr.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.common.ServiceResources;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.grpc.ApiError;
import io.dvr.proto.v1.AgentRouterRequest;
import io.dvr.proto.v1.HaState;
import io.dvr.proto.v1.ListHostsForRouterResponse;
import io.dvr.proto.v1.RouterHost;
import io.dvr.scheduler.store.SchedulerStore;
import io.dvr.store.EmbeddedStore;
import io.dvr.store.Store;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * l3-agent-router-add / -remove as scheduler-svc serves them on the event bus
 * (dvr.scheduler.snat-router-add / -remove, asked as api-gateway asks): the reply lists the
 * router's hosts after the change and its reschedule, the placement is handed on to be told, and
 * a refused request writes nothing and hands on nothing.
 */
@DisplayName("Manual SNAT placement over the bus: the reply shows the hosts after the change, the hosts are told, a refusal changes nothing")
class ManualPlacementTest {
  static final SchedulerStore SCHEDULER = new SchedulerStore(75, Instant.EPOCH, 2);
  @TempDir static Path dataDir;
  static EmbeddedStore embedded;
  static Store store;

  ServiceResources held;
  /** The placements handed on (in scheduler-svc: the hosts told and the router's reschedule requested). */
  final List<SchedulerStore.Placement> placed = new CopyOnWriteArrayList<>();
  final Map<String, UUID> agents = new TreeMap<>();
  UUID ext;

  @BeforeAll
  static void open() throws Exception {
    embedded = EmbeddedStore.open(dataDir.resolve("pg"));
    store = embedded.store;
  }

  @AfterAll
  static void close() throws Exception {
    embedded.close();
  }

  /** Three dvr_snat hosts (net-a, net-b, net-c), one dvr host (compute1), and the service on the bus. */
  @BeforeEach
  void serve() throws Exception {
    await(store.write(tx -> tx.query("TRUNCATE agents, router_snat_bindings, router_snat_exclusions, snat_leases,"
        + " router_host_bindings, routers, networks CASCADE")));
    ext = UUID.randomUUID();
    await(store.write(tx -> tx.query("INSERT INTO networks(id, name, router_external) VALUES ($1, 'ext', true)", ext)));
    for (String host : List.of("net-a", "net-b", "net-c", "compute1")) {
      UUID id = UUID.randomUUID();
      agents.put(host, id);
      await(store.write(tx -> tx.query("INSERT INTO agents(id, host, agent_type, agent_mode, admin_state_up, last_heartbeat)"
          + " VALUES ($1, $2, 'L3 agent', $3, true, now())", id, host, host.startsWith("net-") ? "dvr_snat" : "dvr")));
    }
    held = new ServiceResources(embedded.vertx);
    ManualPlacement manual = new ManualPlacement(store, SCHEDULER, placed::add);
    held.consumer(Bus.serve(embedded.vertx, EventAddresses.SNAT_ROUTER_ADD, AgentRouterRequest.parser(), manual::add));
    held.consumer(Bus.serve(embedded.vertx, EventAddresses.SNAT_ROUTER_REMOVE, AgentRouterRequest.parser(), manual::remove));
  }

  @AfterEach
  void stop() throws Exception {
    await(held.stop());
  }

  @Test
  @DisplayName("add on a third host: a standby there, in the reply and handed on as added; remove of a standby: gone at once and not placed again; remove of the active: it stays active until a drain moves it")
  void haRouterByHand() throws Exception {
    UUID router = router(true);
    assertThat(roles(router)).isEqualTo(Map.of("net-a", "active", "net-b", "standby"));

    assertThat(roles(add("net-c", router))).as("the reply").isEqualTo(Map.of("net-a", "active", "net-b", "standby",
        "net-c", "standby"));
    assertThat(roles(router)).isEqualTo(Map.of("net-a", "active", "net-b", "standby", "net-c", "standby"));
    assertThat(placed).singleElement().satisfies(p -> {
      assertThat(p.routerId()).isEqualTo(router);
      assertThat(p.added()).containsExactly("net-c");
    });

    placed.clear();
    assertThat(roles(remove("net-b", router))).as("the reply").isEqualTo(Map.of("net-a", "active", "net-c", "standby"));
    assertThat(placed).singleElement().satisfies(p -> assertThat(p.removed()).containsExactly("net-b"));
    assertThat(exclusions(router)).containsExactly("net-b");
    await(store.write(tx -> SCHEDULER.reschedule(tx, router)));
    assertThat(roles(router)).as("not placed on net-b again").isEqualTo(Map.of("net-a", "active", "net-c", "standby"));

    placed.clear();
    assertThat(roles(remove("net-a", router))).as("the active keeps its addresses until a standby claims them")
        .isEqualTo(Map.of("net-a", "active", "net-c", "standby"));
    assertThat(exclusions(router)).containsExactly("net-a", "net-b");
    assertThat(placed).singleElement().satisfies(p -> assertThat(p.removed()).isEmpty());

    // Added back by hand: the exclusion goes and the host is a standby again.
    assertThat(roles(add("net-b", router))).containsEntry("net-b", "standby");
    assertThat(exclusions(router)).containsExactly("net-a");
  }

  @Test
  @DisplayName("a non-HA router added on another host moves its one SNAT there (the old host handed on as removed); removed from it, it goes elsewhere")
  void singleRouterByHand() throws Exception {
    UUID router = router(false);
    String first = roles(router).keySet().iterator().next();
    String second = first.equals("net-a") ? "net-b" : "net-a";
    assertThat(roles(add(second, router))).isEqualTo(Map.of(second, "single"));
    assertThat(placed).singleElement().satisfies(p -> {
      assertThat(p.added()).containsExactly(second);
      assertThat(p.removed()).containsExactly(first);
    });
    assertThat(roles(remove(second, router))).doesNotContainKey(second).hasSize(1);
  }

  @Test
  @DisplayName("refusals name the field and the value: malformed ids INVALID_ARGUMENT, an unknown agent or router NOT_FOUND, a host without the SNAT, a router without gateway or a dvr agent FAILED_PRECONDITION; nothing written, nothing handed on")
  void refusalsChangeNothing() throws Exception {
    UUID router = router(true);
    UUID noGateway = UUID.randomUUID();
    await(store.write(tx -> tx.query("INSERT INTO routers(id, name) VALUES ($1, 'n')", noGateway)));
    UUID unknown = UUID.randomUUID();
    Map<String, String> before = roles(router);

    refused(ask(EventAddresses.SNAT_ROUTER_ADD, "agent-x", router.toString()), GrpcStatus.INVALID_ARGUMENT,
        "agent_id 'agent-x': not a valid UUID");
    refused(ask(EventAddresses.SNAT_ROUTER_ADD, agents.get("net-c").toString(), "router-x"), GrpcStatus.INVALID_ARGUMENT,
        "router_id 'router-x': not a valid UUID");
    refused(ask(EventAddresses.SNAT_ROUTER_ADD, unknown.toString(), router.toString()), GrpcStatus.NOT_FOUND,
        "agent '" + unknown + "' not found");
    refused(ask(EventAddresses.SNAT_ROUTER_REMOVE, agents.get("net-a").toString(), unknown.toString()), GrpcStatus.NOT_FOUND,
        "router '" + unknown + "' not found");
    refused(ask(EventAddresses.SNAT_ROUTER_REMOVE, agents.get("net-c").toString(), router.toString()),
        GrpcStatus.FAILED_PRECONDITION, "router '" + router + "' has no SNAT on host 'net-c'");
    refused(ask(EventAddresses.SNAT_ROUTER_ADD, agents.get("net-c").toString(), noGateway.toString()),
        GrpcStatus.FAILED_PRECONDITION, "router '" + noGateway + "' has no external gateway");
    // api-gateway checks the agent's mode too; scheduler-svc's rules do not depend on it.
    refused(ask(EventAddresses.SNAT_ROUTER_ADD, agents.get("compute1").toString(), router.toString()),
        GrpcStatus.FAILED_PRECONDITION, "agent '" + agents.get("compute1") + "' on host 'compute1' is a L3 agent in mode 'dvr':"
        + " a router's SNAT goes only on an L3 agent in mode 'dvr_snat'");

    assertThat(roles(router)).isEqualTo(before);
    assertThat(exclusions(router)).isEmpty();
    assertThat(placed).isEmpty();
  }

  // ---- helpers ----

  /** A router with a gateway (HA when {@code ha}), placed by a reschedule. */
  UUID router(boolean ha) throws Exception {
    UUID id = UUID.randomUUID();
    await(store.write(tx -> tx.query("INSERT INTO routers(id, name, gw_network_id, ha) VALUES ($1, 'r', $2, $3)", id, ext, ha)
        .compose(v -> SCHEDULER.reschedule(tx, id))));
    return id;
  }

  Future<ListHostsForRouterResponse> ask(String address, String agentId, String routerId) {
    return Bus.request(embedded.vertx, address, AgentRouterRequest.newBuilder().setAgentId(agentId).setRouterId(routerId)
        .build(), ListHostsForRouterResponse.parser(), 10_000);
  }

  ListHostsForRouterResponse add(String host, UUID router) throws Exception {
    return await(ask(EventAddresses.SNAT_ROUTER_ADD, agents.get(host).toString(), router.toString()));
  }

  ListHostsForRouterResponse remove(String host, UUID router) throws Exception {
    return await(ask(EventAddresses.SNAT_ROUTER_REMOVE, agents.get(host).toString(), router.toString()));
  }

  static void refused(Future<?> reply, GrpcStatus status, String message) {
    assertThatThrownBy(() -> await(reply)).isInstanceOfSatisfying(ApiError.class, e -> {
      assertThat(e.status()).isEqualTo(status);
      assertThat(e.getMessage()).contains(message);
    });
  }

  /** The SNAT hosts of a reply and their roles: "active", "standby", or "single" (non-HA). */
  static Map<String, String> roles(ListHostsForRouterResponse reply) {
    Map<String, String> roles = new TreeMap<>();
    for (RouterHost h : reply.getHostsList()) {
      if (h.getSnat()) {
        roles.put(h.getHost(), h.getHaState() == HaState.HA_STATE_ACTIVE ? "active"
            : h.getHaState() == HaState.HA_STATE_STANDBY ? "standby" : "single");
      }
    }
    return roles;
  }

  /** The same, read from the database. */
  static Map<String, String> roles(UUID router) throws Exception {
    return roles(ListHostsForRouterResponse.newBuilder().addAllHosts(await(store.read(tx -> SCHEDULER.hostsOf(tx, router))))
        .build());
  }

  static List<String> exclusions(UUID router) throws Exception {
    return await(store.read(tx -> tx.all("SELECT host FROM router_snat_exclusions WHERE router_id = $1 ORDER BY host",
        router))).stream().map(r -> r.getString("host")).toList();
  }

  static <T> T await(Future<T> f) throws Exception {
    return EmbeddedStore.await(f);
  }
}

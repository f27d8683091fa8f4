package io.dvr.agent.reconcile;

import static io.dvr.agent.fixtures.SeedTopology.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.model.Flow;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.reconcile.Operation.AddAddress;
import io.dvr.agent.reconcile.Operation.AddFlows;
import io.dvr.agent.reconcile.Operation.CreateInternalPort;
import io.dvr.agent.reconcile.Operation.CreateNamespace;
import io.dvr.agent.reconcile.Operation.CreateVethPair;
import io.dvr.agent.reconcile.Operation.DeleteDevice;
import io.dvr.agent.reconcile.Operation.DeleteFlows;
import io.dvr.agent.reconcile.Operation.DeleteNamespace;
import io.dvr.agent.reconcile.Operation.RemoveRule;
import io.dvr.agent.reconcile.Operation.ReplaceNat;
import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.HostRenderer;
import io.dvr.agent.render.Names;
import io.dvr.proto.v1.HostRouters;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ConvergenceTest {
  private static final String QROUTER = Names.qrouterNamespace(ROUTER);
  private static final String FIP = Names.fipNamespace(EXT_NET);
  private static final HostRouters WITH_FIP = compute1(List.of(FIP_116), FG_COMPUTE1_117, LOCAL_VM1);
  private static final HostRouters WITHOUT_FIP = compute1(List.of(), null, LOCAL_VM1);

  private static HostState desired(HostRouters routers) {
    return HostRenderer.render(routers, compute1Facts(routers));
  }

  private static MemoryHost converged(HostState desired) {
    MemoryHost host = new MemoryHost("compute1");
    host.execute(Reconciler.diff(desired, host.observe()));
    return host;
  }

  @Test
  @DisplayName("rendering twice, or with the routers in another order, gives equal states")
  void renderIsDeterministic() {
    assertThat(desired(WITH_FIP)).isEqualTo(desired(WITH_FIP));
    HostRouters twoRouters = WITH_FIP.toBuilder().addRouters(otherRouter()).build();
    HostRouters reversed = twoRouters.toBuilder().clearRouters()
        .addRouters(twoRouters.getRouters(1)).addRouters(twoRouters.getRouters(0)).build();
    HostFacts facts = compute1Facts(twoRouters);
    assertThat(HostRenderer.render(reversed, facts)).isEqualTo(HostRenderer.render(twoRouters, facts));
  }

  @Test
  @DisplayName("a state diffed against itself gives an empty plan; applying a plan leaves nothing to do")
  void applyThenDiffIsEmpty() {
    for (HostRouters routers : List.of(WITH_FIP, WITHOUT_FIP, network(), compute2())) {
      HostFacts facts = switch (routers.getHost()) {
        case "network" -> networkFacts();
        case "compute2" -> compute2Facts();
        default -> compute1Facts(routers);
      };
      HostState desired = HostRenderer.render(routers, facts);
      assertThat(Reconciler.diff(desired, desired).isEmpty()).isTrue();
      MemoryHost host = new MemoryHost(routers.getHost());
      Plan plan = Reconciler.diff(desired, host.observe());
      assertThat(plan.isEmpty()).isFalse();
      host.execute(plan);
      assertThat(Reconciler.diff(desired, host.observe()).operations()).as(routers.getHost()).isEmpty();
    }
  }

  @Test
  @DisplayName("executing the same plan twice leaves the same state as executing it once")
  void planTwice() {
    HostState desired = desired(WITH_FIP);
    Plan plan = Reconciler.diff(desired, HostState.EMPTY);
    MemoryHost once = new MemoryHost("compute1");
    once.execute(plan);
    MemoryHost twice = new MemoryHost("compute1");
    twice.execute(plan);
    twice.execute(plan);
    assertThat(twice.observe()).isEqualTo(once.observe());
    assertThat(twice.sections()).isEqualTo(once.sections());
  }

  @Test
  @DisplayName("going through intermediate states gives the same host as applying the final state at once")
  void incrementalEqualsFull() {
    MemoryHost stepwise = converged(desired(WITHOUT_FIP));
    stepwise.execute(Reconciler.diff(desired(WITH_FIP), stepwise.observe()));
    assertThat(stepwise.observe()).isEqualTo(converged(desired(WITH_FIP)).observe());
    stepwise.execute(Reconciler.diff(desired(WITHOUT_FIP), stepwise.observe()));
    assertThat(stepwise.observe()).isEqualTo(converged(desired(WITHOUT_FIP)).observe());
  }

  @Test
  @DisplayName("removing the host's last FIP removes its rule, table 16, the rfp/fpr pair and the fip- namespace")
  void lastFipGoes() {
    MemoryHost host = converged(desired(WITH_FIP));
    HostFacts after = compute1Facts(WITHOUT_FIP);
    Plan plan = Reconciler.diff(HostRenderer.render(WITHOUT_FIP, after), host.observe());
    List<Operation> ops = plan.operations();
    assertThat(ops).contains(new DeleteNamespace(FIP), new DeleteDevice(QROUTER, "rfp-e8f12f7a-6", FIP));
    int rule = indexOf(ops, RemoveRule.class);
    int nat = indexOf(ops, ReplaceNat.class);
    int device = indexOf(ops, DeleteDevice.class);
    int namespace = indexOf(ops, DeleteNamespace.class);
    assertThat(rule).isNotNegative().isLessThan(device);
    assertThat(nat).isNotNegative().isLessThan(device);
    assertThat(device).isLessThan(namespace);
    host.execute(plan);
    assertThat(host.ipNetns()).isEqualTo(QROUTER + "\n");
    assertThat(host.ipRule(QROUTER)).doesNotContain("lookup 16");
    assertThat(host.ipRoute(QROUTER, Names.FIP_TABLE)).isEmpty();
    assertThat(host.ipAddr(QROUTER)).doesNotContain("rfp-");
    assertThat(host.iptablesNat(QROUTER)).doesNotContain("192.168.1.116").doesNotContain("rfp-");
    assertThat(after.linkLocalPairs().assigned()).isEmpty();
    assertThat(after.fipPriorities().assigned()).isEmpty();
    assertThat(Reconciler.diff(HostRenderer.render(WITHOUT_FIP, after), host.observe()).isEmpty()).isTrue();
  }

  @Test
  @DisplayName("removing one of two FIPs keeps the pair and fip- and removes only that FIP's rule, route and nat")
  void oneOfTwoFipsGoes() {
    var second = fip("192.168.1.119", "81.1.180.20", "aa000020-0000-4000-8000-000000000020");
    HostRouters both = compute1(List.of(FIP_116, second), FG_COMPUTE1_117, LOCAL_VM1);
    HostRouters one = compute1(List.of(second), FG_COMPUTE1_117, LOCAL_VM1);
    HostFacts bothFacts = compute1Facts(both);
    MemoryHost host = converged(HostRenderer.render(both, bothFacts));
    HostFacts oneFacts = bothFacts.allocate(one);
    assertThat(oneFacts.linkLocalPairs()).isEqualTo(bothFacts.linkLocalPairs());
    assertThat(oneFacts.fipPriorities().valueOf(Names.fipRuleKey(ROUTER, "81.1.180.20")))
        .isEqualTo(bothFacts.fipPriorities().valueOf(Names.fipRuleKey(ROUTER, "81.1.180.20")));
    Plan plan = Reconciler.diff(HostRenderer.render(one, oneFacts), host.observe());
    assertThat(plan.operations()).noneMatch(op -> op instanceof DeleteDevice || op instanceof DeleteNamespace);
    host.execute(plan);
    assertThat(host.ipRoute(FIP)).doesNotContain("192.168.1.116").contains("192.168.1.119 via 169.254.30.0 dev fpr-");
    assertThat(host.ipRule(QROUTER)).doesNotContain("81.1.180.18").contains("from 81.1.180.20 lookup 16");
    assertThat(host.ipAddr(QROUTER)).doesNotContain("192.168.1.116/32").contains("192.168.1.119/32");
    assertThat(host.iptablesNat(QROUTER)).doesNotContain("192.168.1.116");
  }

  @Test
  @DisplayName("two routers share one fip- namespace, which stays while either has a FIP on the host")
  void sharedFipNamespace() {
    HostRouters two = WITH_FIP.toBuilder().addRouters(otherRouter()).build();
    MemoryHost host = converged(HostRenderer.render(two, compute1Facts(two)));
    assertThat(host.observe().namespaces().get(FIP).devices().keySet())
        .containsExactly("fg-9eeb3fb1-25", "fpr-0b0b0b0b-0", "fpr-e8f12f7a-6", "lo");
    HostRouters onlyOther = WITHOUT_FIP.toBuilder().addRouters(otherRouter()).build();
    Plan plan = Reconciler.diff(HostRenderer.render(onlyOther, compute1Facts(onlyOther)), host.observe());
    // Both namespaces stay, so the pair is deleted once, from the end that sorts first.
    assertThat(plan.operations()).doesNotContain(new DeleteNamespace(FIP))
        .filteredOn(DeleteDevice.class::isInstance)
        .containsExactly(new DeleteDevice(FIP, "fpr-e8f12f7a-6", QROUTER));
    host.execute(plan);
    assertThat(host.observe().namespaces().get(FIP).devices().keySet())
        .containsExactly("fg-9eeb3fb1-25", "fpr-0b0b0b0b-0", "lo");
  }

  @Test
  @DisplayName("stale objects with our names are removed; foreign namespaces, devices and flows are left alone")
  void staleAndForeign() {
    HostState desired = desired(WITH_FIP);
    MemoryHost host = converged(desired);
    String staleNs = "qrouter-deadbeef-0000-4000-8000-000000000000";
    Flow foreignFlow = new Flow(0, 10, "in_port=9", "drop", 0);
    Flow staleFlow = new Flow(1, 4, "dl_vlan=9,dl_dst=fa:16:3e:00:00:09", "drop", Names.FLOW_COOKIE);
    host.execute(new Plan(List.of(new CreateNamespace(staleNs), new CreateNamespace("ns-other"),
        new CreateInternalPort(QROUTER, "qr-deadbeef-00", Names.BR_INT),
        new CreateInternalPort(QROUTER, "eth0", Names.BR_INT),
        new AddAddress(QROUTER, "eth0", IpPrefix.parse("10.9.9.9/24")),
        new CreateInternalPort("ns-other", "qr-inforeignns", Names.BR_INT),
        new AddFlows(Names.BR_INT, new TreeSet<>(List.of(foreignFlow, staleFlow))))));
    Plan plan = Reconciler.diff(desired, host.observe());
    assertThat(plan.operations()).containsExactly(
        new DeleteDevice(QROUTER, "qr-deadbeef-00", ""),
        new DeleteNamespace(staleNs),
        new DeleteFlows(Names.BR_INT, new TreeSet<>(List.of(staleFlow))));
    host.execute(plan);
    HostState after = host.observe();
    assertThat(after.namespaces()).containsKey("ns-other").doesNotContainKey(staleNs);
    assertThat(after.namespaces().get("ns-other").devices()).containsKey("qr-inforeignns");
    assertThat(after.namespaces().get(QROUTER).devices()).containsKey("eth0").doesNotContainKey("qr-deadbeef-00");
    assertThat(host.ipRoute(QROUTER)).contains("10.9.9.0/24 dev eth0 proto kernel scope link src 10.9.9.9");
    assertThat(after.bridges().get(Names.BR_INT).flows()).contains(foreignFlow).doesNotContain(staleFlow);
    assertThat(Reconciler.diff(desired, after).isEmpty()).isTrue();
  }

  @Test
  @DisplayName("creations come parent first: namespaces, devices, addresses, then routes, rules and neighbours")
  void creationOrder() {
    List<Operation> ops = Reconciler.diff(desired(WITH_FIP), HostState.EMPTY).operations();
    int lastNamespace = lastIndexOf(ops, CreateNamespace.class);
    int firstDevice = indexOf(ops, CreateInternalPort.class);
    int lastDevice = Math.max(lastIndexOf(ops, CreateInternalPort.class), lastIndexOf(ops, CreateVethPair.class));
    int firstAddress = indexOf(ops, AddAddress.class);
    int lastAddress = lastIndexOf(ops, AddAddress.class);
    assertThat(lastNamespace).isLessThan(firstDevice);
    assertThat(lastDevice).isLessThan(firstAddress);
    for (Class<?> later : List.of(Operation.ReplaceRoute.class, Operation.AddRule.class,
        Operation.ReplaceNeighbour.class, ReplaceNat.class)) {
      assertThat(indexOf(ops, later)).as(later.getSimpleName()).isGreaterThan(lastAddress);
    }
    assertThat(ops).filteredOn(CreateVethPair.class::isInstance).containsExactly(
        new CreateVethPair(FIP, "fpr-e8f12f7a-6", QROUTER, "rfp-e8f12f7a-6"));
  }

  @Test
  @DisplayName("a plan splits into lanes: a new veth pair joins qrouter- and fip-, later changes run apart")
  void lanes() {
    Plan initial = Reconciler.diff(desired(WITH_FIP), HostState.EMPTY);
    List<Plan.Lane> lanes = initial.lanes();
    assertThat(lanes).extracting(Plan.Lane::namespaces)
        .containsExactlyInAnyOrder(new TreeSet<>(List.of(FIP, QROUTER)), new TreeSet<>(List.of(Operation.ROOT)));
    for (Plan.Lane lane : lanes) {
      List<Operation> inPlanOrder = new ArrayList<>(initial.operations());
      inPlanOrder.retainAll(lane.operations());
      assertThat(lane.operations()).isEqualTo(inPlanOrder);
    }
    MemoryHost host = converged(desired(WITH_FIP));
    var second = fip("192.168.1.119", "81.1.180.20", "aa000020-0000-4000-8000-000000000020");
    HostRouters more = compute1(List.of(FIP_116, second), FG_COMPUTE1_117, LOCAL_VM1);
    Plan incremental = Reconciler.diff(HostRenderer.render(more, compute1Facts(more)), host.observe());
    assertThat(incremental.lanes()).extracting(Plan.Lane::namespaces)
        .containsExactlyInAnyOrder(new TreeSet<>(List.of(FIP)), new TreeSet<>(List.of(QROUTER)));
  }

  /** A second distributed router on compute1 with a FIP on the same external network. */
  private static io.dvr.proto.v1.RouterInfo otherRouter() {
    String id = "0b0b0b0b-0000-4000-8000-000000000000";
    var iface = port("0c0c0c0c-0000-4000-8000-000000000001", "fa:16:3e:00:0c:01", "10.20.0.1", "10.20.0.0/24",
        "0d0d0d0d-0000-4000-8000-000000000001", "0e0e0e0e-0000-4000-8000-000000000001", 9, "10.20.0.2", "");
    var gateway = port("0c0c0c0c-0000-4000-8000-000000000002", "fa:16:3e:00:0c:02", "192.168.1.130",
        "192.168.1.0/24", EXT_SUBNET, EXT_NET, 0, "", "192.168.1.1");
    return io.dvr.proto.v1.RouterInfo.newBuilder().setRouterId(id).setAdminStateUp(true).setDistributed(true)
        .addInterfaces(iface).setGatewayPort(gateway).setFipAgentGateway(FG_COMPUTE1_117)
        .addFloatingIps(fip("192.168.1.140", "10.20.0.5", "0f0f0f0f-0000-4000-8000-000000000005")).build();
  }

  private static int indexOf(List<Operation> ops, Class<?> type) {
    for (int i = 0; i < ops.size(); i++) {
      if (type.isInstance(ops.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private static int lastIndexOf(List<Operation> ops, Class<?> type) {
    for (int i = ops.size() - 1; i >= 0; i--) {
      if (type.isInstance(ops.get(i))) {
        return i;
      }
    }
    return -1;
  }
}

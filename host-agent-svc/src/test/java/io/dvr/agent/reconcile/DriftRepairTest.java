package io.dvr.agent.reconcile;

import static io.dvr.agent.fixtures.SeedTopology.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.IpRule;
import io.dvr.agent.model.NatRule;
import io.dvr.agent.model.NatTable;
import io.dvr.agent.model.Neighbour;
import io.dvr.agent.model.Route;
import io.dvr.agent.reconcile.Operation.AddAddress;
import io.dvr.agent.reconcile.Operation.AddRule;
import io.dvr.agent.reconcile.Operation.CreateInternalPort;
import io.dvr.agent.reconcile.Operation.DeleteDevice;
import io.dvr.agent.reconcile.Operation.RemoveAddress;
import io.dvr.agent.reconcile.Operation.RemoveRoute;
import io.dvr.agent.reconcile.Operation.ReplaceNat;
import io.dvr.agent.reconcile.Operation.ReplaceNeighbour;
import io.dvr.agent.reconcile.Operation.SetLink;
import io.dvr.agent.render.HostRenderer;
import io.dvr.agent.render.Names;
import io.dvr.proto.v1.HostRouters;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** State changed behind the agent's back is repaired, and only ours is touched. */
class DriftRepairTest {
  private static final String QROUTER = Names.qrouterNamespace(ROUTER);
  private static final String QR81 = "qr-517bdba3-b1";

  @Test
  @DisplayName("a wrong MAC, lost and extra addresses, stale rules, routes and neighbours are put right")
  void repairs() {
    HostRouters routers = compute1(List.of(FIP_116), FG_COMPUTE1_117, LOCAL_VM1);
    HostState desired = HostRenderer.render(routers, compute1Facts(routers));
    MemoryHost host = new MemoryHost("compute1");
    host.execute(Reconciler.diff(desired, host.observe()));
    IpRule staleRule = new IpRule(1359066200L, IpPrefix.parse("81.1.180.200/24"), 1359066200L);
    Neighbour staleNeighbour = new Neighbour("81.1.180.99", QR81, "fa:16:3e:00:00:99");
    NatTable foreign = new NatTable(new TreeSet<>(List.of("DOCKER")),
        List.of(new NatRule("PREROUTING", "-j DOCKER"), new NatRule("DOCKER", "-j RETURN")));
    host.execute(new Plan(List.of(
        new SetLink(QROUTER, QR81, "fa:16:3e:00:00:01", 1400),
        new RemoveAddress(QROUTER, "qr-e47fca31-db", IpPrefix.parse("91.1.180.1/24")),
        new AddAddress(QROUTER, QR81, IpPrefix.parse("81.1.180.250/24")),
        new RemoveRoute(QROUTER, Route.via(1359066113L, IpPrefix.ANY, "81.1.180.17", QR81)),
        new AddRule(QROUTER, staleRule),
        new ReplaceNeighbour(QROUTER, staleNeighbour),
        new ReplaceNeighbour(QROUTER, new Neighbour("81.1.180.10", QR81, "fa:16:3e:00:00:10")),
        new ReplaceNat(QROUTER, foreign))));
    Plan repair = Reconciler.diff(desired, host.observe());
    assertThat(repair.operations()).contains(
        new SetLink(QROUTER, QR81, "fa:16:3e:63:3b:4c", 1500),
        new AddAddress(QROUTER, "qr-e47fca31-db", IpPrefix.parse("91.1.180.1/24")),
        new RemoveAddress(QROUTER, QR81, IpPrefix.parse("81.1.180.250/24")),
        new Operation.ReplaceRoute(QROUTER, Route.via(1359066113L, IpPrefix.ANY, "81.1.180.17", QR81)),
        new Operation.RemoveRule(QROUTER, staleRule),
        new Operation.RemoveNeighbour(QROUTER, staleNeighbour),
        new ReplaceNeighbour(QROUTER, new Neighbour("81.1.180.10", QR81, "fa:16:3e:c0:8f:2c")));
    // The prefix routes of the re-added and removed addresses are the kernel's business.
    assertThat(repair.operations()).noneMatch(op -> op instanceof Operation.ReplaceRoute r && r.route().connected());
    assertThat(repair.operations()).noneMatch(op -> op instanceof Operation.RemoveRoute r && r.route().connected());
    host.execute(repair);
    assertThat(Reconciler.diff(desired, host.observe()).isEmpty()).isTrue();
    assertThat(host.iptablesNat(QROUTER)).contains("-N DOCKER\n", "-A PREROUTING -j DOCKER\n", "-A DOCKER -j RETURN\n");
    assertThat(host.ipAddr(QROUTER)).contains("link/ether fa:16:3e:63:3b:4c").doesNotContain("81.1.180.250");
  }

  @Test
  @DisplayName("a device of ours plugged into the wrong bridge is deleted and created again before use")
  void recreatesMiswiredDevice() {
    HostRouters routers = compute1();
    HostState desired = HostRenderer.render(routers, compute1Facts(routers));
    MemoryHost host = new MemoryHost("compute1");
    host.execute(new Plan(List.of(new Operation.CreateNamespace(QROUTER),
        new CreateInternalPort(QROUTER, QR81, Names.BR_EX))));
    List<Operation> ops = Reconciler.diff(desired, host.observe()).operations();
    int delete = ops.indexOf(new DeleteDevice(QROUTER, QR81, ""));
    int create = ops.indexOf(new CreateInternalPort(QROUTER, QR81, Names.BR_INT));
    assertThat(delete).isNotNegative().isLessThan(create);
    host.execute(new Plan(ops));
    assertThat(host.observe().namespaces().get(QROUTER).devices().get(QR81).bridge()).isEqualTo(Names.BR_INT);
    assertThat(Reconciler.diff(desired, host.observe()).isEmpty()).isTrue();
  }
}

package io.dvr.agent.reconcile;

import static io.dvr.agent.fixtures.SeedTopology.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.fixtures.SeedTopology;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.OvsPort;
import io.dvr.agent.reconcile.Operation.AddTunnelPort;
import io.dvr.agent.reconcile.Operation.CreateInternalPort;
import io.dvr.agent.reconcile.Operation.DeleteTunnelPort;
import io.dvr.agent.reconcile.Operation.SetPortTag;
import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.HostRenderer;
import io.dvr.agent.render.Names;
import io.dvr.proto.v1.HostRouters;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** OVS ports are state like the rest: tags and tunnel ports are diffed into operations of the plan. */
class PortDiffTest {
  private static final String QROUTER = Names.qrouterNamespace(ROUTER);
  private static final String QR81 = Names.qrDevice(QR_81);

  private static HostFacts withTunnels(HostRouters routers) {
    return compute1Facts(routers).withTunnelIp("10.0.0.11");
  }

  private static int vlanA(HostFacts facts) {
    return facts.localVlans().valueOf(NET_A).orElseThrow();
  }

  @Test
  @DisplayName("a new router port is tagged right after it is made, and each peer gets a marked tunnel port")
  void tagsAndTunnelsArePlanned() {
    HostRouters routers = compute1();
    HostFacts facts = withTunnels(routers);
    List<Operation> ops = Reconciler.diff(HostRenderer.render(routers, facts), new MemoryHost("compute1").observe())
        .operations();
    int create = ops.indexOf(new CreateInternalPort(QROUTER, QR81, Names.BR_INT));
    int tag = ops.indexOf(new SetPortTag(QROUTER, Names.BR_INT, QR81, vlanA(facts)));
    assertThat(create).isNotNegative().isLessThan(tag);
    assertThat(ops).contains(
        new AddTunnelPort(Names.BR_TUN, "vxlan-0a00000a", "gre", "10.0.0.10", "10.0.0.11", "network"),
        new AddTunnelPort(Names.BR_TUN, "vxlan-0a00000c", "gre", "10.0.0.12", "10.0.0.11", "compute2"));
    assertThat(ops).noneMatch(op -> op instanceof AddTunnelPort t && t.peerHost().equals("compute1"));
  }

  @Test
  @DisplayName("a VM port is only tagged once plugged, and tagged again when its tag is wrong")
  void vmPortsAreTaggedWhenPresent() {
    HostRouters routers = compute1();
    HostFacts facts = withTunnels(routers);
    HostState desired = HostRenderer.render(routers, facts);
    MemoryHost host = new MemoryHost("compute1");
    host.execute(Reconciler.diff(desired, host.observe()));
    assertThat(Reconciler.diff(desired, host.observe()).operations()).as("no VM port plugged: nothing to do").isEmpty();

    host.plugVm("tapaa000001-00", VM1);
    assertThat(Reconciler.diff(desired, host.observe()).operations())
        .containsExactly(new SetPortTag(Operation.ROOT, Names.BR_INT, "tapaa000001-00", vlanA(facts)));
    host.execute(Reconciler.diff(desired, host.observe()));
    assertThat(host.observe().bridges().get(Names.BR_INT).port(OvsPort.vm(VM1, 0).key()).orElseThrow().tag())
        .isEqualTo(vlanA(facts));
    assertThat(Reconciler.diff(desired, host.observe()).operations()).isEmpty();
  }

  @Test
  @DisplayName("the tunnel port of a departed peer is removed; one made by others (not marked) is left alone")
  void departedPeersLoseTheirTunnelPorts() {
    HostRouters routers = compute1();
    MemoryHost host = new MemoryHost("compute1");
    host.execute(Reconciler.diff(HostRenderer.render(routers, withTunnels(routers)), host.observe()));
    host.execute(new AddTunnelPort(Names.BR_TUN, "vxlan-other", "vxlan", "10.0.0.99", "10.0.0.11", ""));
    HostRouters withoutCompute2 = SeedTopology.withoutTunnelEndpoint(routers, "compute2");
    List<Operation> ops = Reconciler.diff(HostRenderer.render(withoutCompute2, withTunnels(withoutCompute2)),
        host.observe()).operations();
    assertThat(ops).contains(new DeleteTunnelPort(Names.BR_TUN, "vxlan-0a00000c"));
    assertThat(ops).noneMatch(op -> op instanceof DeleteTunnelPort d && d.port().equals("vxlan-other"));
    assertThat(ops).noneMatch(op -> op instanceof DeleteTunnelPort d && d.port().equals("vxlan-0a00000a"));
  }
}

package io.dvr.agent;

import static io.dvr.agent.fixtures.SeedTopology.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.agent.driver.Hypervisor;
import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.fixtures.SeedTopology;
import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.OvsPort;
import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.Names;
import io.dvr.agent.render.TunnelType;
import io.dvr.common.config.Settings;
import io.dvr.proto.v1.HostRouters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The agent's one pipeline on the memory driver: facts from what the host holds, passes, ports, restarts. */
class HostPipelineTest {
  private static Vertx vertx;

  @BeforeAll
  static void up() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void down() throws Exception {
    await(vertx.close());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static HostPipeline pipeline(HostSetup setup, String mode, String tunnelIp) {
    return new HostPipeline(vertx, setup, new HostConfig(setup.driver().host(), mode, TunnelType.VXLAN, tunnelIp));
  }

  private static OvsPort port(MemoryHost host, String bridge, String key) {
    return host.observePorts().get(bridge).port(key).orElseThrow(() -> new AssertionError(bridge + " has no " + key));
  }

  @Test
  @DisplayName("a SNAT port gets its ofport once plugged and its flows in the same apply; a restart onto the same host applies nothing")
  void snatPortsAndRestart() throws Exception {
    MemoryHost host = new MemoryHost("network");
    FactsStore facts = FactsStore.inMemory();
    HostPipeline first = pipeline(Drivers.memory(host, facts), "dvr_snat", "10.0.0.10");
    try {
      assertThat(await(first.apply(network()))).isPositive();
      assertThat(await(first.apply(network()))).isZero();
    } finally {
      await(first.close());
    }
    HostFacts saved = facts.load().orElseThrow();
    OvsPort sg = port(host, Names.BR_INT, Names.sgDevice(SG_81));
    assertThat(saved.portOfports()).containsEntry(SG_81, sg.ofport());
    assertThat(host.dumpFlows(Names.BR_INT)).contains("dl_dst=" + SNAT_81.getMacAddress() + " actions=strip_vlan,")
        .contains("output:" + sg.ofport());
    int vlanA = saved.localVlans().valueOf(NET_A).orElseThrow();
    assertThat(sg.tag()).isEqualTo(vlanA);
    assertThat(port(host, Names.BR_INT, Names.qrDevice(QR_81)).tag()).isEqualTo(vlanA);

    HostPipeline restarted = pipeline(Drivers.memory(host, facts), "dvr_snat", "10.0.0.10");
    try {
      assertThat(await(restarted.apply(network()))).isZero();
    } finally {
      await(restarted.close());
    }
  }

  @Test
  @DisplayName("one marked tunnel port per peer, used by the flows; a departed peer's goes, one made by others stays")
  void tunnelPorts() throws Exception {
    MemoryHost host = new MemoryHost("compute1");
    HostPipeline pipeline = pipeline(Drivers.memory(host, FactsStore.inMemory()), "dvr", "10.0.0.11");
    try {
      host.execute(new io.dvr.agent.reconcile.Operation.AddTunnelPort(Names.BR_TUN, "vxlan-other", "vxlan",
          "10.0.0.99", "10.0.0.11", ""));
      assertThat(await(pipeline.apply(compute1()))).isPositive();
      OvsPort toNetwork = port(host, Names.BR_TUN, "vxlan-0a00000a");
      OvsPort toCompute2 = port(host, Names.BR_TUN, "vxlan-0a00000c");
      assertThat(toNetwork.peerHost()).isEqualTo("network");
      assertThat(toCompute2.remoteIp()).isEqualTo("10.0.0.12");
      assertThat(toCompute2.localIp()).isEqualTo("10.0.0.11");
      assertThat(host.dumpFlows(Names.BR_TUN)).contains("in_port=" + toNetwork.ofport() + " ")
          .contains("in_port=" + toCompute2.ofport() + " ");

      HostRouters withoutCompute2 = SeedTopology.withoutTunnelEndpoint(compute1(), "compute2");
      assertThat(await(pipeline.apply(withoutCompute2))).isPositive();
      BridgeState brTun = host.observePorts().get(Names.BR_TUN);
      assertThat(brTun.ports()).containsKeys("vxlan-0a00000a", "vxlan-other").doesNotContainKey("vxlan-0a00000c");
      assertThat(host.dumpFlows(Names.BR_TUN)).doesNotContain("in_port=" + toCompute2.ofport() + " ");
      assertThat(await(pipeline.apply(withoutCompute2))).isZero();
    } finally {
      await(pipeline.close());
    }
  }

  @Test
  @DisplayName("without a tunnel endpoint the agent makes no tunnel port")
  void noTunnelIpNoTunnelPorts() throws Exception {
    MemoryHost host = new MemoryHost("compute1");
    HostPipeline pipeline = pipeline(Drivers.memory(host, FactsStore.inMemory()), "dvr", "");
    try {
      await(pipeline.apply(compute1()));
      assertThat(host.observePorts().get(Names.BR_TUN).ports()).containsOnlyKeys(Names.PATCH_INT);
    } finally {
      await(pipeline.close());
    }
  }

  @Test
  @DisplayName("a VM plugged after the apply is tagged and wired at the next apply, and unwired once unplugged")
  void vmPluggedLater() throws Exception {
    MemoryHost host = new MemoryHost("compute1");
    FactsStore facts = FactsStore.inMemory();
    // A real host's hypervisor: nothing is plugged unless this test plugs it.
    HostPipeline pipeline = pipeline(new HostSetup(host, facts, Hypervisor.NOVA, "dvr-memory-hosts", 2), "dvr", "");
    String vmFlow = "dl_dst=" + LOCAL_VM1.getMacAddress();
    try {
      await(pipeline.apply(compute1()));
      assertThat(pipeline.wiredPorts()).doesNotContain(VM1);
      assertThat(host.dumpFlows(Names.BR_INT)).doesNotContain(vmFlow);

      host.plugVm("tapaa000001-00", VM1);
      assertThat(await(pipeline.apply(compute1()))).isPositive();
      OvsPort vm = port(host, Names.BR_INT, OvsPort.vm(VM1, 0).key());
      assertThat(vm.tag()).isEqualTo(facts.load().orElseThrow().localVlans().valueOf(NET_A).orElseThrow());
      assertThat(host.dumpFlows(Names.BR_INT)).contains(vmFlow).contains("output:" + vm.ofport());
      assertThat(pipeline.wiredPorts()).contains(VM1);

      host.unplugVm("tapaa000001-00");
      assertThat(await(pipeline.apply(compute1()))).isPositive();
      assertThat(host.dumpFlows(Names.BR_INT)).doesNotContain(vmFlow);
      assertThat(pipeline.wiredPorts()).doesNotContain(VM1);
    } finally {
      await(pipeline.close());
    }
  }

  @Test
  @DisplayName("the simulated Nova plugs the VM ports bound to the host, and not the SNAT ports")
  void simulatedNovaPlugsBoundVms() throws Exception {
    MemoryHost host = new MemoryHost("compute1");
    HostPipeline pipeline = pipeline(Drivers.memory(host, FactsStore.inMemory()), "dvr", "");
    try {
      await(pipeline.apply(compute1(java.util.List.of(), null, LOCAL_VM1, LOCAL_VM3)));
      assertThat(host.vmPorts()).containsOnly(Map.entry("tapaa000001-00", VM1), Map.entry("tapaa000003-00", VM3));
      assertThat(pipeline.wiredPorts()).containsExactlyInAnyOrder(VM1, VM3);
      await(pipeline.apply(compute1()));
      assertThat(host.vmPorts()).containsOnlyKeys("tapaa000001-00");
    } finally {
      await(pipeline.close());
    }
  }

  @Test
  @DisplayName("an unknown agent.dataplane is refused, naming the setting, its variable and the value")
  void unknownDriverIsRefused() {
    assertThatThrownBy(() -> Drivers.fromSettings(Settings.of(Map.of("agent.dataplane", "ebpf")), "compute1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("agent.dataplane").hasMessageContaining("DVR_AGENT_DATAPLANE")
        .hasMessageContaining("'ebpf'").hasMessageContaining("linux, memory");
  }

  @Test
  @DisplayName("an unknown tunnel type is refused, naming the setting and the value")
  void unknownTunnelTypeIsRefused() {
    assertThatThrownBy(() -> HostConfig.fromSettings(Settings.of(Map.of("linux.tunnel-type", "ipip")), "compute1", "dvr"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("linux.tunnel-type").hasMessageContaining("'ipip'").hasMessageContaining("vxlan or gre");
  }
}

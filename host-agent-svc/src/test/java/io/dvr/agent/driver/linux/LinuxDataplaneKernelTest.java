package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dvr.agent.Drivers;
import io.dvr.agent.HostConfig;
import io.dvr.agent.HostPipeline;
import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.Names;
import io.dvr.agent.render.TunnelType;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.HostStateListing;
import io.dvr.proto.v1.ListingSection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's pipeline on the Linux driver, on a labnet host: apply, apply again, restart onto the same host and
 * state file, an ARP entry applied for its router alone. Needs what {@link LinuxHostKernelTest} needs; skipped otherwise, saying what is missing.
 */
class LinuxDataplaneKernelTest {
  private static final String CLASS = "LinuxDataplaneKernelTest";
  private static Optional<String> missing = Optional.empty();
  private static LabHost lab;
  private static Vertx vertx;
  private static CommandRunner shell;

  @BeforeAll
  static void up() throws Exception {
    missing = LabHost.missing();
    if (missing.isPresent()) {
      System.err.println("SKIPPED " + CLASS + ": " + missing.get());
      return;
    }
    lab = LabHost.up();
    vertx = Vertx.vertx();
    shell = CommandRunner.withPool(lab.shell(), 1);
  }

  /** Each test reports the skip with its reason; a skipped @BeforeAll would hide the tests instead. */
  @BeforeEach
  void requireLab() {
    assumeTrue(missing.isEmpty(), () -> missing.orElse(""));
  }

  @AfterAll
  static void down() throws Exception {
    if (shell != null) {
      shell.close();
    }
    if (vertx != null) {
      await(vertx.close());
    }
    if (lab != null) {
      lab.close();
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** The agent's pipeline on the Linux driver, as a restarted agent makes it: a new driver, the same state file. */
  private static HostPipeline dataplane(Path stateDir) {
    return dataplane(stateDir, lab.shell());
  }

  private static HostPipeline dataplane(Path stateDir, HostShell on) {
    LinuxHost host = new LinuxHost(SmallRouter.HOST, CommandRunner.withPool(on, 4), LinuxOptions.defaults());
    return new HostPipeline(vertx, Drivers.linux(host, new FactsFile(stateDir, SmallRouter.HOST)),
        new HostConfig(SmallRouter.HOST, "dvr_snat", TunnelType.VXLAN, "172.31.9.1"));
  }

  private static String sh(String... argv) {
    return shell.run(Command.of(argv)).stdout().strip();
  }

  @Test
  @DisplayName("the first apply onto an empty host reads no namespace back between its passes: the pass for the new ofports diffs against what the first pass made")
  void secondPassReadsOnlyPorts(@TempDir Path stateDir) throws Exception {
    SmallRouter r = new SmallRouter();
    HostRouters routers = r.routers(true);
    try (RecordingShell recording = new RecordingShell(lab.shell())) {
      HostPipeline dp = dataplane(stateDir, recording.shell());
      try {
        assertThat(await(dp.apply(routers))).isGreaterThan(50);
        List<String> commands = recording.commands();
        // Two passes: the tunnel port and the SNAT ports get their ofports in the first, their flows in the second.
        assertThat(commands).filteredOn(c -> c.startsWith("ovs-ofctl -O OpenFlow13 --bundle add-flows br-tun"))
            .hasSize(2);
        assertThat(commands).noneMatch(c -> c.contains(" -j -n ") || c.contains("iptables-save"));
        assertThat(await(dp.apply(routers))).isZero();
      } finally {
        await(dp.close());
      }
    }
    HostPipeline cleaner = dataplane(stateDir);
    try {
      await(cleaner.apply(HostRouters.newBuilder().setHost(SmallRouter.HOST).setAgentMode("dvr_snat")
          .setDvrMac(SmallRouter.DVR_MAC).build()));
    } finally {
      await(cleaner.close());
    }
  }

  @Test
  @DisplayName("apply plugs, tags and programs; applying again or after a restart onto the same host runs nothing")
  void applyAgainAndRestartRunNothing(@TempDir Path stateDir) throws Exception {
    SmallRouter r = new SmallRouter();
    HostRouters routers = r.routers(true);
    // The VM's port as Nova would plug it: an OVS port carrying the Neutron port id.
    sh("ovs-vsctl", "add-port", "br-int", "vmtap", "--", "set", "Interface", "vmtap", "type=internal",
        "external_ids:iface-id=" + r.vm);
    // A tunnel port someone else made (not marked with a peer): the agent leaves it alone.
    sh("ovs-vsctl", "add-port", "br-tun", "vxlan-other", "--", "set", "Interface", "vxlan-other", "type=vxlan",
        "options:remote_ip=172.31.9.99", "options:local_ip=172.31.9.1", "options:key=flow");
    HostPipeline first = dataplane(stateDir);
    try {
      long start = System.nanoTime();
      int applied = await(first.apply(routers));
      long firstMs = (System.nanoTime() - start) / 1_000_000;
      start = System.nanoTime();
      int again = await(first.apply(routers));
      long againMs = (System.nanoTime() - start) / 1_000_000;
      System.out.printf("dataplane: first apply %d operations in %d ms, second %d in %d ms%n", applied, firstMs, again,
          againMs);
      assertThat(applied).isGreaterThan(50);
      assertThat(again).isZero();

      HostFacts facts = new FactsFile(stateDir, SmallRouter.HOST).load().orElseThrow();
      int vlanA = facts.localVlans().valueOf(r.netA).orElseThrow();
      assertThat(sh("ovs-vsctl", "get", "Port", "vmtap", "tag")).isEqualTo(Integer.toString(vlanA));
      assertThat(sh("ovs-vsctl", "get", "Port", PlugMode.hostEnd(Names.qrDevice(r.ifA.getPortId())), "tag"))
          .isEqualTo(Integer.toString(vlanA));
      assertThat(sh("ovs-vsctl", "list-ports", "br-tun")).contains("vxlan-ac1f0902");
      assertThat(facts.tunnelOfports()).containsKey("peer");
      assertThat(facts.portOfports()).containsKeys(r.vm, r.sgA.getPortId(), r.sgB.getPortId());
      assertThat(facts.fipPriorities().assigned()).containsValue(Names.FIP_PRIORITY_FIRST);
      String sgOfport = sh("ovs-vsctl", "get", "Interface", PlugMode.hostEnd(Names.sgDevice(r.sgA.getPortId())), "ofport");
      assertThat(sh("ovs-ofctl", "-O", "OpenFlow13", "--no-names", "dump-flows", "br-int", "table=1"))
          .contains("output:" + sgOfport);

      HostStateListing listing = await(first.print(r.qrouter()));
      assertThat(listing.getSectionsList()).extracting(ListingSection::getTitle)
          .contains(r.qrouter() + ": ip rule", r.qrouter() + ": ip route list table 16");
    } finally {
      await(first.close());
    }

    HostPipeline restarted = dataplane(stateDir);
    try {
      assertThat(await(restarted.apply(routers))).isZero();
      assertThat(await(restarted.apply(r.routers(false)))).isPositive();
      assertThat(sh("ip", "netns", "list")).doesNotContain(r.fipNs());
      assertThat(await(restarted.apply(HostRouters.newBuilder().setHost(SmallRouter.HOST).setAgentMode("dvr_snat")
          .setDvrMac(SmallRouter.DVR_MAC).build()))).isPositive();
      assertThat(sh("ip", "netns", "list")).doesNotContain(r.qrouter()).doesNotContain(r.snat());
      assertThat(sh("ovs-vsctl", "list-ports", "br-int")).isEqualTo("patch-tun\nvmtap");
      // The peer is gone from the tunnel endpoints: its tunnel port goes, the foreign one stays.
      assertThat(sh("ovs-vsctl", "list-ports", "br-tun")).doesNotContain("vxlan-ac1f0902").contains("vxlan-other");
      assertThat(Files.readString(stateDir.resolve("facts-lab.json"))).doesNotContain(r.routerId);
    } finally {
      await(restarted.close());
      sh("ovs-vsctl", "--if-exists", "del-port", "vmtap", "--", "--if-exists", "del-port", "vxlan-other");
    }
  }

  @Test
  @DisplayName("a VM plugged or unplugged after the apply is noticed through OVS's monitor; the next apply tags it and adds or removes its flows")
  void vmPluggedLaterIsNoticed(@TempDir Path stateDir) throws Exception {
    SmallRouter r = new SmallRouter();
    HostRouters routers = r.routers(true);
    HostPipeline dataplane = dataplane(stateDir);
    BlockingQueue<String> news = new LinkedBlockingQueue<>();
    dataplane.watch(() -> news.add("host changed"));
    try {
      assertThat(news.poll(30, TimeUnit.SECONDS)).as("news after the monitor's first read of the ports").isNotNull();
      assertThat(await(dataplane.apply(routers))).isPositive();
      assertThat(news).as("the agent's own plugging is no news").isEmpty();
      assertThat(dataplane.wiredPorts()).as("ports wired before the VM is plugged").doesNotContain(r.vm);
      String vmFlows = "dl_dst=" + SmallRouter.VM_MAC;

      sh("ovs-vsctl", "add-port", "br-int", "vmlate", "--", "set", "Interface", "vmlate", "type=internal",
          "external_ids:iface-id=" + r.vm);
      assertThat(news.poll(30, TimeUnit.SECONDS)).as("news of the VM plugged").isNotNull();
      assertThat(await(dataplane.apply(routers))).isPositive();
      int vlanA = new FactsFile(stateDir, SmallRouter.HOST).load().orElseThrow().localVlans().valueOf(r.netA).orElseThrow();
      assertThat(sh("ovs-vsctl", "get", "Port", "vmlate", "tag")).isEqualTo(Integer.toString(vlanA));
      assertThat(dataplane.wiredPorts()).contains(r.vm);
      String ofport = sh("ovs-vsctl", "get", "Interface", "vmlate", "ofport");
      assertThat(sh("ovs-ofctl", "-O", "OpenFlow13", "--no-names", "dump-flows", "br-int", "table=1"))
          .contains(vmFlows).contains("output:" + ofport);

      news.clear();
      sh("ovs-vsctl", "del-port", "br-int", "vmlate");
      assertThat(news.poll(30, TimeUnit.SECONDS)).as("news of the VM unplugged").isNotNull();
      assertThat(await(dataplane.apply(routers))).isPositive();
      assertThat(sh("ovs-ofctl", "-O", "OpenFlow13", "--no-names", "dump-flows", "br-int", "table=1"))
          .doesNotContain(vmFlows);
      assertThat(dataplane.wiredPorts()).doesNotContain(r.vm);
    } finally {
      await(dataplane.apply(HostRouters.newBuilder().setHost(SmallRouter.HOST).setAgentMode("dvr_snat")
          .setDvrMac(SmallRouter.DVR_MAC).build()));
      await(dataplane.close());
      sh("ovs-vsctl", "--if-exists", "del-port", "vmlate");
    }
  }

  @Test
  @DisplayName("an ARP entry applied for its router alone reaches the kernel; a full apply then finds nothing to do")
  void arpEntryAppliedIncrementally(@TempDir Path stateDir) throws Exception {
    SmallRouter r = new SmallRouter();
    HostRouters routers = r.routers(true);
    HostPipeline dataplane = dataplane(stateDir);
    try {
      assertThat(await(dataplane.apply(routers))).isPositive();
      HostRouters withArp = routers.toBuilder().setRouters(0, routers.getRouters(0).toBuilder()
          .addArpEntries(ArpEntry.newBuilder().setIpAddress("10.61.0.77").setMacAddress("fa:16:3e:10:00:77")
              .setSubnetId(r.ifA.getSubnetId()).setPortId(UUID.randomUUID().toString()))).build();
      assertThat(await(dataplane.apply(withArp, Set.of(r.routerId)))).isEqualTo(1);
      assertThat(sh("ip", "-n", r.qrouter(), "neigh", "show", "10.61.0.77")).contains("lladdr fa:16:3e:10:00:77");
      assertThat(await(dataplane.apply(withArp))).isZero();
      assertThat(await(dataplane.apply(routers, Set.of(r.routerId)))).isEqualTo(1);
      assertThat(sh("ip", "-n", r.qrouter(), "neigh", "show", "10.61.0.77")).isEmpty();
    } finally {
      await(dataplane.apply(HostRouters.newBuilder().setHost(SmallRouter.HOST).setAgentMode("dvr_snat")
          .setDvrMac(SmallRouter.DVR_MAC).build()));
      await(dataplane.close());
    }
  }
  @Test
  @DisplayName("a floating IP applied for its router alone, then removed: the agent runs no iptables-save, one long-lived iptables-restore takes both changes, and the nat table reads back as a full render wants it")
  void floatingIpAppliedWithoutReadingTheNatTable(@TempDir Path stateDir) throws Exception {
    SmallRouter r = new SmallRouter();
    HostRouters routers = r.routers(true);
    HostRouters.Builder more = routers.toBuilder();
    more.getRoutersBuilder(0).addFloatingIps(io.dvr.proto.v1.FloatingIpInfo.newBuilder()
        .setFloatingIpId(UUID.randomUUID().toString()).setFloatingIpAddress("192.168.61.21")
        .setFixedIpAddress("10.61.0.21").setPortId(UUID.randomUUID().toString()).setFloatingNetworkId(r.extNet));
    HostRouters withFip = more.build();
    try (RecordingShell recording = new RecordingShell(lab.shell())) {
      HostPipeline dataplane = dataplane(stateDir, recording.shell());
      try {
        assertThat(await(dataplane.apply(routers))).isPositive();
        int before = recording.commands().size();
        assertThat(await(dataplane.apply(withFip, Set.of(r.routerId)))).isPositive();
        assertThat(natOf(r.qrouter())).isEqualTo(dataplane.desired(withFip).namespace(r.qrouter()).nat());
        assertThat(await(dataplane.apply(routers, Set.of(r.routerId)))).isPositive();
        assertThat(natOf(r.qrouter())).isEqualTo(dataplane.desired(routers).namespace(r.qrouter()).nat());
        List<String> changes = recording.commands().subList(before, recording.commands().size());
        assertThat(changes).noneMatch(c -> c.contains("iptables-save"));
        assertThat(changes).as("the namespace's session, started by the first change")
            .filteredOn(c -> c.contains("iptables-restore")).hasSize(1);
        assertThat(changes).filteredOn(c -> c.contains("xtables-monitor")).hasSize(1);
        assertThat(await(dataplane.apply(routers))).isZero();
      } finally {
        await(dataplane.apply(HostRouters.newBuilder().setHost(SmallRouter.HOST).setAgentMode("dvr_snat")
            .setDvrMac(SmallRouter.DVR_MAC).build()));
        await(dataplane.close());
      }
    }
  }

  /** Our part of a namespace's nat table as the kernel holds it, read apart from the agent under test. */
  private static io.dvr.agent.model.NatTable natOf(String ns) {
    return NatRestore.parse(sh("ip", "netns", "exec", ns, "iptables-save", "-t", "nat"))
        .owned(io.dvr.agent.render.Names::isOurChain);
  }
}

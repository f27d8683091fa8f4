package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dvr.agent.Drivers;
import io.dvr.agent.HostConfig;
import io.dvr.agent.HostPipeline;
import io.dvr.agent.reconcile.Reconciler;
import io.dvr.agent.render.TunnelType;
import io.dvr.proto.v1.HostRouters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A port bound to a real host (its VM's OVS port plugged beforehand, as Nova plugs it) and then
 * unbound, each applied for its router alone on the Linux driver: the bridges' ports are read, the
 * port's flows and tag written, no namespace, nat table or flow table read; the host then holds
 * what a full apply wants. Needs what {@link LinuxHostKernelTest} needs; skipped otherwise.
 */
class PortBindingKernelTest {
  private static final String CLASS = "PortBindingKernelTest";
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

  private static String sh(String... argv) {
    return shell.run(Command.of(argv)).stdout().strip();
  }

  @Test
  @DisplayName("a port bound, then unbound: each applied for its router alone, reading only the bridges' ports,"
      + " and the host then holds what a full apply wants")
  void bindAndUnbindAlone(@TempDir Path stateDir) throws Exception {
    SmallRouter r = new SmallRouter();
    HostRouters bound = r.routers(false);
    HostRouters unbound = bound.toBuilder().clearPorts()
        .setRouters(0, bound.getRouters(0).toBuilder().clearLocalPortIds()).build();
    sh("ovs-vsctl", "add-port", "br-int", "vmbind", "--", "set", "Interface", "vmbind", "type=internal",
        "external_ids:iface-id=" + r.vm);
    String vmFlows = "dl_dst=" + SmallRouter.VM_MAC;
    try (RecordingShell recording = new RecordingShell(lab.shell())) {
      LinuxHost host = new LinuxHost(SmallRouter.HOST, CommandRunner.withPool(recording.shell(), 4), LinuxOptions.defaults());
      HostPipeline dataplane = new HostPipeline(vertx, Drivers.linux(host, new FactsFile(stateDir, SmallRouter.HOST)),
          new HostConfig(SmallRouter.HOST, "dvr_snat", TunnelType.VXLAN, "172.31.9.1"));
      try {
        assertThat(await(dataplane.apply(unbound))).isPositive();
        assertThat(dataplane.wiredPorts()).doesNotContain(r.vm);

        int before = recording.commands().size();
        assertThat(await(dataplane.apply(bound, Set.of(r.routerId)))).isPositive();
        readsOnlyPorts(recording.commands().subList(before, recording.commands().size()), false);
        String ofport = sh("ovs-vsctl", "get", "Interface", "vmbind", "ofport");
        assertThat(sh("ovs-ofctl", "-O", "OpenFlow13", "--no-names", "dump-flows", "br-int", "table=1"))
            .contains(vmFlows).contains("output:" + ofport);
        int vlanA = new FactsFile(stateDir, SmallRouter.HOST).load().orElseThrow().localVlans().valueOf(r.netA)
            .orElseThrow();
        assertThat(sh("ovs-vsctl", "get", "Port", "vmbind", "tag")).isEqualTo(Integer.toString(vlanA));
        assertThat(dataplane.wiredPorts()).contains(r.vm);
        assertThat(Reconciler.diff(dataplane.desired(bound), host.observe()).operations()).isEmpty();

        before = recording.commands().size();
        assertThat(await(dataplane.apply(unbound, Set.of(r.routerId)))).isPositive();
        readsOnlyPorts(recording.commands().subList(before, recording.commands().size()), false);
        assertThat(sh("ovs-ofctl", "-O", "OpenFlow13", "--no-names", "dump-flows", "br-int", "table=1"))
            .doesNotContain(vmFlows);
        assertThat(dataplane.wiredPorts()).doesNotContain(r.vm);
        assertThat(Reconciler.diff(dataplane.desired(unbound), host.observe()).operations()).isEmpty();
        assertThat(await(dataplane.apply(unbound))).as("a full apply then finds nothing to do").isZero();
      } finally {
        await(dataplane.apply(HostRouters.newBuilder().setHost(SmallRouter.HOST).setAgentMode("dvr_snat")
            .setDvrMac(SmallRouter.DVR_MAC).build()));
        await(dataplane.close());
        sh("ovs-vsctl", "--if-exists", "del-port", "vmbind");
      }
    }
  }

  @Test
  @DisplayName("with ovsdb-server's socket: a port bound, then unbound, each applied alone with no ovs-vsctl process"
      + " (ports read and tag set over one session), and the host then holds what a full apply wants")
  void bindAndUnbindOverOvsdbSession(@TempDir Path stateDir) throws Exception {
    bindAndUnbindOverSockets(stateDir, false);
  }

  @Test
  @DisplayName("with ovsdb-server's socket and the bridges' management sockets: a port bound, then unbound, each"
      + " applied alone with no ovs-vsctl and no ovs-ofctl process (the flows as one bundle over OpenFlow)")
  void bindAndUnbindOverOvsdbAndOpenFlow(@TempDir Path stateDir) throws Exception {
    bindAndUnbindOverSockets(stateDir, true);
  }

  private void bindAndUnbindOverSockets(Path stateDir, boolean openFlow) throws Exception {
    SmallRouter r = new SmallRouter();
    HostRouters bound = r.routers(false);
    HostRouters unbound = bound.toBuilder().clearPorts()
        .setRouters(0, bound.getRouters(0).toBuilder().clearLocalPortIds()).build();
    sh("ovs-vsctl", "add-port", "br-int", "vmdb", "--", "set", "Interface", "vmdb", "type=internal",
        "external_ids:iface-id=" + r.vm);
    String vmFlows = "dl_dst=" + SmallRouter.VM_MAC;
    try (RecordingShell recording = new RecordingShell(lab.shell())) {
      LinuxHost host = new LinuxHost(SmallRouter.HOST, CommandRunner.withPool(recording.shell(), 4),
          LinuxOptions.defaults(), true, lab.ovsdbSocket(), openFlow ? lab.ovsRunDir() : null);
      HostPipeline dataplane = new HostPipeline(vertx, Drivers.linux(host, new FactsFile(stateDir, SmallRouter.HOST)),
          new HostConfig(SmallRouter.HOST, "dvr_snat", TunnelType.VXLAN, "172.31.9.1"));
      try {
        assertThat(await(dataplane.apply(unbound))).isPositive();

        // The ports' replica is synced by now (the full apply started it): the bind reads the ports from
        // memory; its one transaction is the VM port's tag.
        awaitReplicaSynced(host);
        int before = recording.commands().size();
        long reads = host.portReadsOutsideTheReplica();
        assertThat(await(dataplane.apply(bound, Set.of(r.routerId)))).isPositive();
        assertThat(host.portReadsOutsideTheReplica()).as("the bind's reads of the ports outside the replica")
            .isEqualTo(reads);
        List<String> commands = recording.commands().subList(before, recording.commands().size());
        assertThat(commands).as("the bind's processes").noneMatch(c -> c.startsWith("ovs-vsctl"));
        if (openFlow) {
          assertThat(commands).as("the bind's processes").noneMatch(c -> c.startsWith("ovs-ofctl"));
          assertThat(host.flowBundlesOverOpenFlow()).isPositive();
        } else {
          assertThat(commands).as("the bind's processes").anyMatch(c -> c.startsWith("ovs-ofctl"));
        }
        String ofport = sh("ovs-vsctl", "get", "Interface", "vmdb", "ofport");
        assertThat(sh("ovs-ofctl", "-O", "OpenFlow13", "--no-names", "dump-flows", "br-int", "table=1"))
            .contains(vmFlows).contains("output:" + ofport);
        int vlanA = new FactsFile(stateDir, SmallRouter.HOST).load().orElseThrow().localVlans().valueOf(r.netA)
            .orElseThrow();
        assertThat(sh("ovs-vsctl", "get", "Port", "vmdb", "tag")).isEqualTo(Integer.toString(vlanA));
        assertThat(sh("ovs-vsctl", "get", "Open_vSwitch", ".", "cur_cfg"))
            .as("ovs-vswitchd took the tag's transaction, as ovs-vsctl waits for")
            .isEqualTo(sh("ovs-vsctl", "get", "Open_vSwitch", ".", "next_cfg"));
        assertThat(dataplane.wiredPorts()).contains(r.vm);
        assertThat(Reconciler.diff(dataplane.desired(bound), host.observe()).operations()).isEmpty();

        before = recording.commands().size();
        assertThat(await(dataplane.apply(unbound, Set.of(r.routerId)))).isPositive();
        assertThat(recording.commands().subList(before, recording.commands().size())).as("the unbind's processes")
            .noneMatch(c -> c.startsWith("ovs-vsctl")).noneMatch(c -> openFlow && c.startsWith("ovs-ofctl"));
        assertThat(sh("ovs-ofctl", "-O", "OpenFlow13", "--no-names", "dump-flows", "br-int", "table=1"))
            .doesNotContain(vmFlows);
        assertThat(Reconciler.diff(dataplane.desired(unbound), host.observe()).operations()).isEmpty();
        assertThat(await(dataplane.apply(unbound))).as("a full apply then finds nothing to do").isZero();
      } finally {
        await(dataplane.apply(HostRouters.newBuilder().setHost(SmallRouter.HOST).setAgentMode("dvr_snat")
            .setDvrMac(SmallRouter.DVR_MAC).build()));
        await(dataplane.close());
        sh("ovs-vsctl", "--if-exists", "del-port", "vmdb");
      }
    }
  }

  @Test
  @DisplayName("a port bound before Nova plugs its VM: the plug, seen by the port monitor, is applied for the port's"
      + " router alone; the VM unplugged after the unbind applies nothing")
  void vmPluggedAfterTheBinding(@TempDir Path stateDir) throws Exception {
    vmPluggedAfterTheBinding(stateDir, false);
  }

  @Test
  @DisplayName("with ovsdb-server's socket: the plug, told by the ports' replica once it holds it, is applied for the"
      + " port's router alone with no read of the ports over a transaction or a process")
  void vmPluggedAfterTheBindingOverTheReplica(@TempDir Path stateDir) throws Exception {
    vmPluggedAfterTheBinding(stateDir, true);
  }

  private void vmPluggedAfterTheBinding(Path stateDir, boolean socket) throws Exception {
    SmallRouter r = new SmallRouter();
    HostRouters bound = r.routers(false);
    HostRouters unbound = bound.toBuilder().clearPorts()
        .setRouters(0, bound.getRouters(0).toBuilder().clearLocalPortIds()).build();
    String vmFlows = "dl_dst=" + SmallRouter.VM_MAC;
    try (RecordingShell recording = new RecordingShell(lab.shell())) {
      LinuxHost host = socket ? new LinuxHost(SmallRouter.HOST, CommandRunner.withPool(recording.shell(), 4),
          LinuxOptions.defaults(), true, lab.ovsdbSocket())
          : new LinuxHost(SmallRouter.HOST, CommandRunner.withPool(recording.shell(), 4), LinuxOptions.defaults());
      HostPipeline dataplane = new HostPipeline(vertx, Drivers.linux(host, new FactsFile(stateDir, SmallRouter.HOST)),
          new HostConfig(SmallRouter.HOST, "dvr_snat", TunnelType.VXLAN, "172.31.9.1"));
      java.util.concurrent.BlockingQueue<String> news = new java.util.concurrent.LinkedBlockingQueue<>();
      dataplane.watch(() -> news.add("ports moved"));
      try {
        assertThat(news.poll(30, TimeUnit.SECONDS)).as("the monitor's first read of the ports").isNotNull();
        assertThat(await(dataplane.apply(unbound))).isPositive();
        await(dataplane.apply(bound, Set.of(r.routerId)));
        assertThat(dataplane.wiredPorts()).as("bound, not plugged yet").doesNotContain(r.vm);

        news.clear();
        sh("ovs-vsctl", "add-port", "br-int", "vmlater", "--", "set", "Interface", "vmlater", "type=internal",
            "external_ids:iface-id=" + r.vm);
        assertThat(news.poll(30, TimeUnit.SECONDS)).as("news of the VM plugged").isNotNull();
        int before = recording.commands().size();
        long reads = host.portReadsOutsideTheReplica();
        assertThat(await(dataplane.applyAfterPortsMoved(bound, Set.of()))).isPositive();
        readsOnlyPorts(recording.commands().subList(before, recording.commands().size()), socket);
        assertThat(host.portReadsOutsideTheReplica() - reads).as("reads of the ports outside the replica")
            .isEqualTo(socket ? 0 : 1);
        String ofport = sh("ovs-vsctl", "get", "Interface", "vmlater", "ofport");
        assertThat(sh("ovs-ofctl", "-O", "OpenFlow13", "--no-names", "dump-flows", "br-int", "table=1"))
            .contains(vmFlows).contains("output:" + ofport);
        assertThat(dataplane.wiredPorts()).contains(r.vm);
        assertThat(Reconciler.diff(dataplane.desired(bound), host.observe()).operations()).isEmpty();

        assertThat(await(dataplane.apply(unbound, Set.of(r.routerId)))).isPositive();
        news.clear();
        sh("ovs-vsctl", "del-port", "br-int", "vmlater");
        assertThat(news.poll(30, TimeUnit.SECONDS)).as("news of the VM unplugged").isNotNull();
        before = recording.commands().size();
        reads = host.portReadsOutsideTheReplica();
        assertThat(await(dataplane.applyAfterPortsMoved(unbound, Set.of()))).isZero();
        readsOnlyPorts(recording.commands().subList(before, recording.commands().size()), socket);
        assertThat(host.portReadsOutsideTheReplica() - reads).as("reads of the ports outside the replica")
            .isEqualTo(socket ? 0 : 1);
        assertThat(Reconciler.diff(dataplane.desired(unbound), host.observe()).operations()).isEmpty();
      } finally {
        await(dataplane.apply(HostRouters.newBuilder().setHost(SmallRouter.HOST).setAgentMode("dvr_snat")
            .setDvrMac(SmallRouter.DVR_MAC).build()));
        await(dataplane.close());
        sh("ovs-vsctl", "--if-exists", "del-port", "vmlater");
      }
    }
  }

  /** Waits until the host's ports' replica answers (it connects on the first read of the ports). */
  private static void awaitReplicaSynced(LinuxHost host) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!host.portsReplicaSynced() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(host.portsReplicaSynced()).as("the ports' replica synced").isTrue();
  }

  /**
   * The commands of an apply of one router alone: no namespace, nat or flow table read; one read of
   * the ports by a process, or none when the replica holds them.
   */
  private static void readsOnlyPorts(List<String> commands, boolean replica) {
    assertThat(commands).noneMatch(c -> c.contains(" -j -n ") || c.contains("iptables-save") || c.contains("dump-flows"));
    assertThat(commands).filteredOn(c -> c.startsWith("ovs-vsctl -f json")).hasSize(replica ? 0 : 1);
  }
}

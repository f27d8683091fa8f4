package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dvr.agent.Drivers;
import io.dvr.agent.HostConfig;
import io.dvr.agent.HostPipeline;
import io.dvr.agent.render.TunnelType;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.TraceHop;
import io.dvr.proto.v1.TraceHostReply;
import io.dvr.proto.v1.TraceHostRequest;
import io.dvr.proto.v1.TraceOutcome;
import io.dvr.proto.v1.TracePacket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tracer on a real host: a router applied by the Linux driver, then traced over the state the
 * agent reads back from the kernel and OVS ({@code --live}) and over the rendered state: both give
 * the same ends. Needs what {@link LinuxHostKernelTest} needs; skipped otherwise, saying what is missing.
 */
class LinuxTraceKernelTest {
  private static final String CLASS = "LinuxTraceKernelTest";
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

  private static TraceHostReply trace(HostPipeline dataplane, HostRouters view, TraceHostRequest.Builder r, boolean live)
      throws Exception {
    return await(dataplane.trace(r.setHost(SmallRouter.HOST).setLive(live).build(), view));
  }

  private static List<String> ends(TraceHostReply reply) {
    return reply.getOutcomesList().stream().map(o -> !o.getDelivered().isEmpty() ? "delivered " + o.getDelivered()
        : !o.getDropped().isEmpty() ? "dropped " + o.getDropped() : "handoff " + o.getHandoffHost()).toList();
  }

  private static List<String> steps(TraceHostReply reply) {
    return reply.getHopsList().stream().map(TraceHop::getStep).toList();
  }

  @Test
  @DisplayName("on a real host, the observed state traces a floating IP out and in, and a routed packet to the tunnel, as the rendered state does")
  void liveEqualsRendered(@TempDir Path stateDir) throws Exception {
    SmallRouter r = new SmallRouter();
    HostRouters routers = r.routers(true);
    shell.run(Command.of("ovs-vsctl", "add-port", "br-int", "vmtrace", "--", "set", "Interface", "vmtrace",
        "type=internal", "external_ids:iface-id=" + r.vm));
    LinuxHost host = new LinuxHost(SmallRouter.HOST, CommandRunner.withPool(lab.shell(), 4), LinuxOptions.defaults());
    HostPipeline dataplane = new HostPipeline(vertx, Drivers.linux(host, new FactsFile(stateDir, SmallRouter.HOST)),
        new HostConfig(SmallRouter.HOST, "dvr_snat", TunnelType.VXLAN, "172.31.9.1"));
    try {
      await(dataplane.apply(routers));
      TraceHostRequest.Builder out = TraceHostRequest.newBuilder().setVmPortId(r.vm)
          .setPacket(TracePacket.newBuilder().setIpDst("192.168.61.20"));
      TraceHostRequest.Builder in = TraceHostRequest.newBuilder().setFromExternal(true)
          .setPacket(TracePacket.newBuilder().setIpSrc("192.168.61.20").setIpDst("192.168.61.112"));
      TraceHostRequest.Builder eastWest = TraceHostRequest.newBuilder().setVmPortId(r.vm)
          .setPacket(TracePacket.newBuilder().setIpDst("10.62.0.9").setProtocol("udp").setDstPort(53));

      TraceHostReply outLive = trace(dataplane, routers, out, true);
      TraceHostReply inLive = trace(dataplane, routers, in, true);
      TraceHostReply eastWestLive = trace(dataplane, routers, eastWest, true);

      assertThat(outLive.getState()).isEqualTo("observed");
      assertThat(ends(outLive)).containsExactly("delivered the external network: 192.168.61.112 > 192.168.61.20 via"
          + " 192.168.61.20 from " + io.dvr.agent.render.Names.fgDevice(r.fg.getPortId()) + " on " + r.fipNs());
      assertThat(ends(inLive)).containsExactly("delivered VM port " + r.vm + " on lab: 192.168.61.20 > 10.61.0.18");
      assertThat(ends(eastWestLive)).containsExactly("handoff peer");
      assertThat(steps(eastWestLive)).anyMatch(s -> s.contains("actions=mod_dl_src:" + SmallRouter.DVR_MAC));
      assertThat(ends(trace(dataplane, routers, out, false))).isEqualTo(ends(outLive));
      assertThat(ends(trace(dataplane, routers, in, false))).isEqualTo(ends(inLive));
      assertThat(ends(trace(dataplane, routers, eastWest, false))).isEqualTo(ends(eastWestLive));
      assertThat(eastWestLive.getOutcomesList()).extracting(TraceOutcome::getHandoffPacket)
          .extracting(TracePacket::getTunId).containsExactly(62L);
    } finally {
      await(dataplane.apply(HostRouters.newBuilder().setHost(SmallRouter.HOST).setAgentMode("dvr_snat")
          .setDvrMac(SmallRouter.DVR_MAC).build()));
      await(dataplane.close());
      shell.run(Command.of("ovs-vsctl", "--if-exists", "del-port", "vmtrace"));
    }
  }
}

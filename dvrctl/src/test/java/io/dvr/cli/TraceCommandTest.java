package io.dvr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.FixedIp;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.TraceHop;
import io.dvr.proto.v1.TraceHostReply;
import io.dvr.proto.v1.TraceHostRequest;
import io.dvr.proto.v1.TraceOutcome;
import io.dvr.proto.v1.TracePacket;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TraceCommandTest {
  private static final String VM1 = "aa000001-0000-4000-8000-000000000018";
  private static final TracePacket ON_TUNNEL = TracePacket.newBuilder().setEthSrc("fa:16:3f:b2:34:82")
      .setEthDst("fa:16:3e:13:93:0d").setTunId(4).setIpSrc("81.1.180.18").setIpDst("90.1.180.6").build();

  private final FakeApi api = new FakeApi()
      .on(PortServiceGrpcClient.GetPort, req -> Port.newBuilder().setId(VM1).setBindingHost("compute1")
          .addFixedIps(FixedIp.newBuilder().setIpAddress("81.1.180.18")).build())
      .on(AgentServiceGrpcClient.TraceHost, TraceCommandTest::leg);

  /** Three hosts as their agents would answer: compute1 floods to the two others, compute2 delivers. */
  private static TraceHostReply leg(TraceHostRequest r) {
    TraceHostReply.Builder b = TraceHostReply.newBuilder().setHost(r.getHost()).setState("rendered")
        .setStart(r.getPacket());
    switch (r.getHost()) {
      case "compute1" -> b.addHops(hop("br-tun table 22", "priority 32768 dl_vlan=1 actions=strip_vlan,set_tunnel:0x4,output:3,output:2"))
          .addOutcomes(TraceOutcome.newBuilder().setHandoffHost("network").setHandoffPacket(ON_TUNNEL))
          .addOutcomes(TraceOutcome.newBuilder().setHandoffHost("compute2").setHandoffPacket(ON_TUNNEL));
      case "compute2" -> b.addHops(hop("br-int table 1", "priority 4 dl_vlan=1,dl_dst=fa:16:3e:13:93:0d actions=output:5"))
          .addOutcomes(TraceOutcome.newBuilder().setDelivered("VM port vm2 on compute2: 81.1.180.18 > 90.1.180.6"));
      default -> b.addOutcomes(TraceOutcome.newBuilder().setDropped("br-int table 1: the flow drops it"));
    }
    return b.build();
  }

  private static TraceHop hop(String place, String step) {
    return TraceHop.newBuilder().setPlace(place).setStep(step).build();
  }

  @Test
  @DisplayName("trace asks the port's host first, then each host a tunnel reaches with what the previous host sent; dropped copies take one line")
  void followsHostToHost() {
    CliRun run = CliRun.run(api, "trace", VM1, "90.1.180.6", "--protocol", "tcp", "--port", "22");

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<TraceHostRequest> asked = api.requests(AgentServiceGrpcClient.TraceHost);
    assertThat(asked).extracting(TraceHostRequest::getHost).containsExactly("compute1", "network", "compute2");
    assertThat(asked.get(0).getVmPortId()).isEqualTo(VM1);
    assertThat(asked.get(0).getPacket()).isEqualTo(TracePacket.newBuilder().setIpSrc("81.1.180.18")
        .setIpDst("90.1.180.6").setProtocol("tcp").setDstPort(22).build());
    assertThat(asked.get(2).getFromHost()).isEqualTo("compute1");
    assertThat(asked.get(2).getPacket()).isEqualTo(ON_TUNNEL);
    assertThat(run.out()).isEqualTo("""
        trace 81.1.180.18 > 90.1.180.6 tcp/22 from port %s on compute1

        compute1 (from VM port %s, rendered state)
          br-tun table 22: priority 32768 dl_vlan=1 actions=strip_vlan,set_tunnel:0x4,output:3,output:2
          => to network by tunnel
          => to compute2 by tunnel

        network (from compute1 by tunnel, rendered state): dropped: br-int table 1: the flow drops it

        compute2 (from compute1 by tunnel, rendered state)
          br-int table 1: priority 4 dl_vlan=1,dl_dst=fa:16:3e:13:93:0d actions=output:5
          => delivered to VM port vm2 on compute2: 81.1.180.18 > 90.1.180.6

        Result: delivered to VM port vm2 on compute2: 81.1.180.18 > 90.1.180.6
        """.formatted(VM1, VM1));
  }

  @Test
  @DisplayName("a host whose agent is down ends its copy with the reason; the others are still traced; --json prints every leg")
  void agentDownAndJson() {
    FakeApi down = new FakeApi()
        .on(PortServiceGrpcClient.GetPort, req -> Port.newBuilder().setId(VM1).setBindingHost("compute1")
            .addFixedIps(FixedIp.newBuilder().setIpAddress("81.1.180.18")).build())
        .on(AgentServiceGrpcClient.TraceHost, req -> {
          if (req.getHost().equals("network")) {
            throw CliError.server("UNAVAILABLE", "the agent of host 'network' is not running");
          }
          return leg(req);
        });

    CliRun run = CliRun.run(down, "trace", VM1, "90.1.180.6");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("network (from compute1 by tunnel, no state): dropped: not traced: the agent of host"
        + " 'network' is not running").contains("Result: delivered to VM port vm2 on compute2");

    CliRun json = CliRun.run(api, "--json", "trace", VM1, "90.1.180.6");
    assertThat(json.out()).startsWith("[").contains("\"handoff_host\": \"network\"")
        .contains("\"delivered\": \"VM port vm2 on compute2: ");
  }

  @Test
  @DisplayName("--live asks every host for its observed state; --port without tcp or udp is a usage error")
  void liveAndUsage() {
    CliRun.run(api, "trace", VM1, "90.1.180.6", "--live");
    assertThat(api.requests(AgentServiceGrpcClient.TraceHost)).allMatch(TraceHostRequest::getLive).hasSize(3);

    CliRun bad = CliRun.run(api, "trace", VM1, "90.1.180.6", "--port", "22");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--port 22 needs --protocol tcp or udp");
  }
}

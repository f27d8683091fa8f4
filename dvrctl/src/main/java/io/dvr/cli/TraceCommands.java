package io.dvr.cli;

import static io.dvr.proto.v1.AgentServiceGrpcClient.TraceHost;
import static io.dvr.proto.v1.PortServiceGrpcClient.GetPort;

import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.FixedIp;
import io.dvr.proto.v1.GetPortRequest;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.TraceHostReply;
import io.dvr.proto.v1.TraceHostRequest;
import io.dvr.proto.v1.TraceOutcome;
import io.dvr.proto.v1.TracePacket;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code trace}: a packet's path through the hosts, as {@code ovn-trace} gives it for OVN. */
final class TraceCommands {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private TraceCommands() {}

  @Command(name = "trace", description = "Trace a packet from a port (or an IP address) to a destination IP, host"
      + " by host: OVS flows, namespaces, ip rules, routes, NAT, neighbours, until delivery or a drop with its reason.")
  static final class Trace extends CliCommand {
    @Parameters(index = "0", paramLabel = "SOURCE",
        description = "The sending port (name or id), a VM's fixed IP, or an outside address (enters from the external network).")
    String source;

    @Parameters(index = "1", paramLabel = "DESTINATION", description = "The destination IPv4 address.")
    String destination;

    @Option(names = "--protocol", paramLabel = "PROTO", description = "tcp, udp or icmp.")
    String protocol;

    @Option(names = "--port", paramLabel = "PORT", description = "Destination port (tcp, udp).")
    Integer port;

    @Option(names = "--live", description = "Walk the state the agents observe on their hosts, not the state they render.")
    boolean live;

    @Override
    protected void run() {
      if (!IPV4.matcher(destination).matches()) {
        throw usage("DESTINATION '" + destination + "' must be an IPv4 address");
      }
      if (protocol != null && !List.of("tcp", "udp", "icmp").contains(protocol)) {
        throw usage("--protocol '" + protocol + "' must be tcp, udp or icmp");
      }
      if (port != null && (port < 1 || port > 65535 || protocol == null || protocol.equals("icmp"))) {
        throw usage("--port " + port + " needs --protocol tcp or udp and must be 1..65535");
      }
      TracePacket.Builder packet = TracePacket.newBuilder().setIpDst(destination)
          .setProtocol(protocol == null ? "" : protocol).setDstPort(port == null ? 0 : port);
      String title;
      List<TraceHostRequest> first;
      Port vm = IPV4.matcher(source).matches() ? portWithAddress(source) : portNamed(source);
      if (vm != null) {
        String ip = IPV4.matcher(source).matches() ? source : vm.getFixedIpsList().stream().findFirst()
            .map(FixedIp::getIpAddress).orElse("");
        if (vm.getBindingHost().isEmpty()) {
          throw CliError.server("FAILED_PRECONDITION", "port " + vm.getId() + " is bound to no host: nothing sends from it");
        }
        title = "trace " + ip + " > " + destination + what() + " from port " + vm.getId() + " on " + vm.getBindingHost();
        first = List.of(TraceHostRequest.newBuilder().setHost(vm.getBindingHost()).setVmPortId(vm.getId())
            .setPacket(packet.setIpSrc(ip)).setLive(live).build());
      } else {
        title = "trace " + source + " > " + destination + what() + " from the external network";
        first = l3Hosts().stream().map(h -> TraceHostRequest.newBuilder().setHost(h).setFromExternal(true)
            .setPacket(packet.setIpSrc(source)).setLive(live).build()).toList();
      }
      List<TracePath.Walked> legs = TracePath.follow(this::leg, first);
      if (print().json()) {
        print().list(legs.stream().map(TracePath.Walked::reply).toList(), null);
      } else {
        print().done(TraceHostReply.getDefaultInstance(), TracePath.text(title, legs).stripTrailing());
      }
    }

    /**
     * One host's leg. A host whose agent is down or not synced yet ends its copy there, saying so:
     * the other copies are still traced (a refusal of the call itself stops the trace).
     */
    private TraceHostReply leg(TraceHostRequest r) {
      try {
        return call(TraceHost, r);
      } catch (CliError e) {
        if (!List.of("UNAVAILABLE", "FAILED_PRECONDITION").contains(String.valueOf(e.status()))) {
          throw e;
        }
        return TraceHostReply.newBuilder().setHost(r.getHost()).setState("no")
            .addOutcomes(TraceOutcome.newBuilder().setDropped("not traced: " + e.getMessage())).build();
      }
    }

    private String what() {
      return protocol == null ? "" : " " + protocol + (port == null ? "" : "/" + port);
    }

    private Port portNamed(String ref) {
      return call(GetPort, GetPortRequest.newBuilder().setId(find().port(ref)).build());
    }

    /** The VM port holding the address; none: the address is outside. */
    private Port portWithAddress(String ip) {
      List<Port> holders = Fetch.ports(api(), ListPortsRequest.getDefaultInstance()).stream()
          .filter(p -> p.getDeviceOwner().startsWith("compute:"))
          .filter(p -> p.getFixedIpsList().stream().anyMatch(f -> f.getIpAddress().equals(ip))).toList();
      if (holders.size() > 1) {
        throw CliError.ambiguous("several ports hold " + ip + "; name the port instead");
      }
      return holders.isEmpty() ? null : holders.get(0);
    }

    /** Every host with an L3 agent: any of them may answer ARP on the external network. */
    private List<String> l3Hosts() {
      return Fetch.agents(api(), ListAgentsRequest.getDefaultInstance()).stream().map(Agent::getHost)
          .distinct().sorted().toList();
    }
  }
}

package io.dvr.agent.trace;

import io.dvr.agent.model.IpPrefix;
import io.dvr.common.grpc.ApiError;
import io.dvr.proto.v1.TraceHop;
import io.dvr.proto.v1.TraceHostReply;
import io.dvr.proto.v1.TraceHostRequest;
import io.dvr.proto.v1.TraceOutcome;
import io.dvr.proto.v1.TracePacket;
import java.util.List;

/** The tracer's request and reply as the bus carries them; a bad request names the field and the value. */
public final class TraceMessages {
  private TraceMessages() {}

  private static final List<String> PROTOCOLS = List.of("", "tcp", "udp", "icmp");

  public static Ingress ingress(TraceHostRequest r) {
    int given = (r.getVmPortId().isEmpty() ? 0 : 1) + (r.getFromHost().isEmpty() ? 0 : 1) + (r.getFromExternal() ? 1 : 0);
    if (given != 1) {
      throw ApiError.invalid("exactly one of vm_port_id, from_host and from_external must be given");
    }
    if (!r.getVmPortId().isEmpty()) {
      return new Ingress.FromVm(r.getVmPortId());
    }
    return r.getFromExternal() ? new Ingress.FromExternal() : new Ingress.FromTunnel(r.getFromHost());
  }

  public static Packet packet(TraceHostRequest r) {
    TracePacket p = r.getPacket();
    requireIp("packet.ip_dst", p.getIpDst(), false);
    requireIp("packet.ip_src", p.getIpSrc(), !r.getVmPortId().isEmpty());
    if (!PROTOCOLS.contains(p.getProtocol().toLowerCase())) {
      throw ApiError.invalid("packet.protocol", p.getProtocol(), "must be tcp, udp, icmp or empty");
    }
    if (p.getDstPort() > 65535) {
      throw ApiError.invalid("packet.dst_port", Integer.toUnsignedString(p.getDstPort()), "must be 0..65535");
    }
    return new Packet(p.getEthSrc(), p.getEthDst(), Packet.NO_VLAN, p.getTunId(), p.getIpSrc(), p.getIpDst(),
        p.getProtocol(), p.getDstPort());
  }

  private static void requireIp(String field, String value, boolean mayBeEmpty) {
    if (value.isEmpty() && mayBeEmpty) {
      return;
    }
    try {
      IpPrefix.toLong(value);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid(field, value, "must be an IPv4 address");
    }
  }

  public static TracePacket message(Packet p) {
    return TracePacket.newBuilder().setEthSrc(p.ethSrc()).setEthDst(p.ethDst()).setTunId(p.tunId())
        .setIpSrc(p.ipSrc()).setIpDst(p.ipDst()).setProtocol(p.protocol()).setDstPort(p.dstPort()).build();
  }

  public static TraceHostReply reply(Leg leg, String state) {
    TraceHostReply.Builder b = TraceHostReply.newBuilder().setHost(leg.host()).setState(state)
        .setStart(message(leg.start()));
    leg.hops().forEach(h -> b.addHops(TraceHop.newBuilder().setPlace(h.place()).setStep(h.step())));
    for (Outcome o : leg.outcomes()) {
      TraceOutcome.Builder out = TraceOutcome.newBuilder();
      if (o instanceof Outcome.Delivered d) {
        out.setDelivered(d.where());
      } else if (o instanceof Outcome.Dropped d) {
        out.setDropped(d.reason());
      } else if (o instanceof Outcome.Handoff h) {
        out.setHandoffHost(h.host()).setHandoffPacket(message(h.packet()));
      }
      b.addOutcomes(out);
    }
    return b.build();
  }
}

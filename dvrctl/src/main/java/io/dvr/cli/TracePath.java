package io.dvr.cli;

import io.dvr.proto.v1.TraceHop;
import io.dvr.proto.v1.TraceHostReply;
import io.dvr.proto.v1.TraceHostRequest;
import io.dvr.proto.v1.TraceOutcome;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * A packet's path host after host: each host's agent walks its leg; every copy that leaves by a
 * tunnel is traced on the host it reaches, starting from what the previous leg sent. Printed as
 * {@code ovn-trace} prints: each leg's hops in order, copies a flood sent nowhere in one line.
 */
final class TracePath {
  /** Bounds a path that would loop between hosts. */
  static final int MAX_LEGS = 32;

  private TracePath() {}

  /** One leg: what the host was asked and what its agent answered. */
  record Walked(TraceHostRequest request, TraceHostReply reply) {
    String header() {
      TraceHostRequest r = request;
      String from = !r.getFromHost().isEmpty() ? "from " + r.getFromHost() + " by tunnel"
          : r.getFromExternal() ? "from the external network" : "from VM port " + r.getVmPortId();
      return r.getHost() + " (" + from + ", " + reply.getState() + " state)";
    }
  }

  /** The legs in the order they were walked (breadth first), starting with {@code first}. */
  static List<Walked> follow(Function<TraceHostRequest, TraceHostReply> traceHost, List<TraceHostRequest> first) {
    Deque<TraceHostRequest> todo = new ArrayDeque<>(first);
    List<Walked> walked = new ArrayList<>();
    while (!todo.isEmpty() && walked.size() < MAX_LEGS) {
      TraceHostRequest request = todo.removeFirst();
      TraceHostReply leg = traceHost.apply(request);
      walked.add(new Walked(request, leg));
      for (TraceOutcome o : leg.getOutcomesList()) {
        if (!o.getHandoffHost().isEmpty()) {
          todo.add(TraceHostRequest.newBuilder().setHost(o.getHandoffHost()).setFromHost(leg.getHost())
              .setPacket(o.getHandoffPacket()).setLive(request.getLive()).build());
        }
      }
    }
    return walked;
  }

  /**
   * The legs as text. When some copy is delivered, the legs that only drop (the copies a flood
   * sent to hosts without the destination, hosts that did not answer ARP) take one line each.
   */
  static String text(String title, List<Walked> walked) {
    List<TraceHostReply> legs = walked.stream().map(Walked::reply).toList();
    boolean delivered = legs.stream().flatMap(l -> l.getOutcomesList().stream()).anyMatch(o -> !o.getDelivered().isEmpty());
    StringBuilder out = new StringBuilder(title).append('\n');
    for (Walked w : walked) {
      TraceHostReply leg = w.reply();
      boolean onlyDrops = leg.getOutcomesList().stream().allMatch(o -> !o.getDropped().isEmpty());
      if (delivered && onlyDrops) {
        out.append('\n').append(w.header()).append(": dropped: ")
            .append(String.join("; ", leg.getOutcomesList().stream().map(TraceOutcome::getDropped).toList()))
            .append('\n');
        continue;
      }
      out.append('\n').append(w.header()).append('\n');
      for (TraceHop hop : leg.getHopsList()) {
        out.append("  ").append(hop.getPlace()).append(": ").append(hop.getStep()).append('\n');
      }
      for (TraceOutcome o : leg.getOutcomesList()) {
        if (!o.getDelivered().isEmpty()) {
          out.append("  => delivered to ").append(o.getDelivered()).append('\n');
        } else if (!o.getDropped().isEmpty()) {
          out.append("  => dropped: ").append(o.getDropped()).append('\n');
        } else {
          out.append("  => to ").append(o.getHandoffHost()).append(" by tunnel\n");
        }
      }
    }
    out.append('\n').append(summary(legs, legs.size() >= MAX_LEGS));
    return out.toString();
  }

  private static String summary(List<TraceHostReply> legs, boolean cut) {
    List<String> delivered = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    for (TraceHostReply leg : legs) {
      for (TraceOutcome o : leg.getOutcomesList()) {
        if (!o.getDelivered().isEmpty()) {
          delivered.add(o.getDelivered());
        } else if (!o.getDropped().isEmpty()) {
          dropped.add(leg.getHost() + ": " + o.getDropped());
        }
      }
    }
    String more = cut ? " (stopped after " + MAX_LEGS + " hosts)" : "";
    if (!delivered.isEmpty()) {
      return "Result: delivered to " + String.join("; ", delivered) + more;
    }
    return "Result: dropped (" + String.join("; ", dropped) + ")" + more;
  }
}

package io.dvr.agent.trace;

import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.Flow;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a packet through one bridge's OpenFlow pipeline from table 0: the flow {@link FlowLookup}
 * finds, then its actions in order (field rewrites, {@code resubmit} into another table, {@code
 * output}, {@code NORMAL}); a table with no matching flow drops (OpenFlow 1.3's table miss).
 */
final class BridgeWalk {
  /** Port number standing for the NORMAL action: the bridge's own L2 switching decides. */
  static final int NORMAL = -2;
  private static final int MAX_RESUBMITS = 64;

  /** One copy leaving the pipeline: to an ofport (or {@link #NORMAL}) with the packet as it is then. */
  record Output(int ofport, Packet packet) {}

  /** What the pipeline made of the packet: the copies it sends, or (none sent) why it dropped it. */
  record Result(List<Output> outputs, List<String> drops) {}

  private final List<Hop> hops;
  private final List<Output> outputs = new ArrayList<>();
  private final List<String> drops = new ArrayList<>();
  private int resubmits;

  private BridgeWalk(List<Hop> hops) {
    this.hops = hops;
  }

  static Result walk(BridgeState bridge, int inPort, Packet p, List<Hop> hops) {
    BridgeWalk walk = new BridgeWalk(hops);
    walk.table(bridge, 0, inPort, p);
    return new Result(List.copyOf(walk.outputs), List.copyOf(walk.drops));
  }

  /** Runs one table; returns the packet as the actions left it (a resubmit goes on with it). */
  private Packet table(BridgeState bridge, int table, int inPort, Packet p) {
    String place = bridge.name() + " table " + table;
    Optional<Flow> found = FlowLookup.find(bridge.flows(), table, p, inPort);
    if (found.isEmpty()) {
      hops.add(new Hop(place, "no flow matches " + p.l2() + " (in_port " + inPort + "): dropped"));
      drops.add(place + ": no flow matches " + p.l2());
      return p;
    }
    Flow f = found.get();
    hops.add(new Hop(place, "priority " + f.priority() + (f.match().isEmpty() ? "" : " " + f.match())
        + " actions=" + f.actions()));
    Packet now = p;
    for (String action : actions(f.actions())) {
      now = act(bridge, place, action, inPort, now);
    }
    return now;
  }

  private Packet act(BridgeState bridge, String place, String action, int inPort, Packet p) {
    int colon = action.indexOf(':');
    String name = colon < 0 ? action : action.substring(0, colon);
    String arg = colon < 0 ? "" : action.substring(colon + 1);
    if (action.startsWith("resubmit(")) {
      if (++resubmits > MAX_RESUBMITS) {
        drops.add(place + ": more than " + MAX_RESUBMITS + " resubmits (a loop)");
        return p;
      }
      String inner = action.substring("resubmit(".length(), action.length() - 1);
      String port = inner.substring(0, inner.indexOf(','));
      int next = Integer.parseInt(inner.substring(inner.indexOf(',') + 1));
      return table(bridge, next, port.isEmpty() ? inPort : Integer.parseInt(port), p);
    }
    if (action.startsWith("learn(")) {
      return p; // teaches table 20 the way back; changes nothing for this packet
    }
    switch (name) {
      case "NORMAL", "normal" -> outputs.add(new Output(NORMAL, p));
      case "drop" -> drops.add(place + ": the flow drops it");
      case "output" -> outputs.add(new Output(Integer.parseInt(arg), p));
      case "mod_dl_src" -> {
        return p.withEthSrc(arg);
      }
      case "mod_dl_dst" -> {
        return p.withEthDst(arg);
      }
      case "mod_vlan_vid" -> {
        return p.withVlan(Integer.parseInt(arg));
      }
      case "strip_vlan" -> {
        return p.withVlan(Packet.NO_VLAN);
      }
      case "set_tunnel", "set_tunnel64" -> {
        return p.withTunId(arg.startsWith("0x") ? Long.parseLong(arg.substring(2), 16) : Long.parseLong(arg));
      }
      default -> hops.add(new Hop(place, "action not evaluated by the tracer: " + action));
    }
    return p;
  }

  /** The actions of a flow, split at commas outside parentheses ({@code learn(...)} holds commas). */
  static List<String> actions(String text) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        out.add(text.substring(start, i).trim());
        start = i + 1;
      }
    }
    if (start < text.length()) {
      out.add(text.substring(start).trim());
    }
    return out;
  }
}

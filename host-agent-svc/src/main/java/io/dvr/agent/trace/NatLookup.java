package io.dvr.agent.trace;

import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.NatRule;
import io.dvr.agent.model.NatTable;
import java.util.List;
import java.util.Optional;

/**
 * The nat table's verdict on a packet at one hook (PREROUTING, POSTROUTING): the hook's rules in
 * order, jumps into user chains, RETURN back; the first DNAT, SNAT, REDIRECT or ACCEPT ends the
 * walk. Rule texts are read as {@code iptables -S} prints them; an option this lookup does not
 * know makes the rule not match, and the hop says so.
 */
final class NatLookup {
  private static final int MAX_DEPTH = 16;

  private NatLookup() {}

  /** Where the packet stands at the hook. {@code dnatDone}: conntrack's DNAT state. */
  record Context(String inDev, String outDev, boolean dnatDone) {}

  /** The packet after the hook; {@code rule}: the rule that decided (empty: none did); {@code redirected}: to a local port. */
  record Verdict(Packet packet, Optional<NatRule> rule, String target) {
    boolean redirected() {
      return "REDIRECT".equals(target);
    }

    boolean translated() {
      return "DNAT".equals(target) || "SNAT".equals(target) || redirected();
    }
  }

  private sealed interface ChainEnd {}

  private record Fell() implements ChainEnd {}

  private record Decided(Verdict verdict) implements ChainEnd {}

  static Verdict walk(NatTable nat, String hook, Packet p, Context at, String place, List<Hop> hops) {
    ChainEnd end = chain(nat, hook, p, at, place, hops, 0);
    if (end instanceof Decided d) {
      NatRule rule = d.verdict().rule().orElseThrow();
      String change = switch (d.verdict().target()) {
        case "DNAT" -> ": destination " + p.ipDst() + " -> " + d.verdict().packet().ipDst();
        case "SNAT" -> ": source " + p.ipSrc() + " -> " + d.verdict().packet().ipSrc();
        case "REDIRECT" -> ": to a local port";
        default -> ": not translated";
      };
      hops.add(new Hop(place, "iptables -t nat " + hook + ": " + rule + change));
      return d.verdict();
    }
    hops.add(new Hop(place, "iptables -t nat " + hook + ": no rule translates " + p.l3()));
    return new Verdict(p, Optional.empty(), "");
  }

  private static ChainEnd chain(NatTable nat, String chain, Packet p, Context at, String place, List<Hop> hops,
      int depth) {
    if (depth > MAX_DEPTH) {
      hops.add(new Hop(place, "iptables chain " + chain + " nested deeper than " + MAX_DEPTH + ": not followed"));
      return new Fell();
    }
    for (NatRule rule : nat.rules(chain)) {
      Parsed parsed = Parsed.of(rule.spec());
      if (!parsed.unknown().isEmpty()) {
        hops.add(new Hop(place, "iptables rule not evaluated (" + parsed.unknown() + "): " + rule));
        continue;
      }
      if (!parsed.matches(p, at)) {
        continue;
      }
      String target = parsed.target();
      switch (target) {
        case "RETURN" -> {
          return new Fell();
        }
        case "ACCEPT" -> {
          return new Decided(new Verdict(p, Optional.of(rule), target));
        }
        case "DNAT" -> {
          return new Decided(new Verdict(p.withIpDst(withoutPort(parsed.value("--to-destination"))), Optional.of(rule),
              target));
        }
        case "SNAT" -> {
          return new Decided(new Verdict(p.withIpSrc(withoutPort(parsed.value("--to-source"))), Optional.of(rule),
              target));
        }
        case "REDIRECT" -> {
          return new Decided(new Verdict(p, Optional.of(rule), target));
        }
        default -> {
          if (nat.chains().contains(target) || NatTable.BUILTIN.contains(target)) {
            ChainEnd inner = chain(nat, target, p, at, place, hops, depth + 1);
            if (inner instanceof Decided) {
              return inner;
            }
          } else {
            hops.add(new Hop(place, "iptables target not evaluated: " + rule));
          }
        }
      }
    }
    return new Fell();
  }

  private static String withoutPort(String address) {
    int colon = address.indexOf(':');
    return colon < 0 ? address : address.substring(0, colon);
  }

  /** One rule's options, read once. */
  private record Parsed(List<String> tokens, String unknown) {

    static Parsed of(String spec) {
      List<String> tokens = List.of(spec.trim().split("\\s+"));
      for (int i = 0; i < tokens.size(); i++) {
        String t = tokens.get(i);
        switch (t) {
          case "!" -> { }
          case "-d", "-s", "-i", "-o", "-p", "-m", "--dport", "--ctstate", "-j", "--to-destination", "--to-source",
              "--to-ports" -> i++;
          default -> {
            return new Parsed(tokens, t);
          }
        }
      }
      return new Parsed(tokens, "");
    }

    String value(String option) {
      int at = tokens.indexOf(option);
      return at < 0 || at + 1 >= tokens.size() ? "" : tokens.get(at + 1);
    }

    String target() {
      return value("-j");
    }

    boolean matches(Packet p, Context at) {
      boolean negate = false;
      for (int i = 0; i < tokens.size(); i++) {
        String t = tokens.get(i);
        if (t.equals("!")) {
          negate = true;
          continue;
        }
        String v = i + 1 < tokens.size() ? tokens.get(i + 1) : "";
        Boolean holds = switch (t) {
          case "-d" -> IpPrefix.parse(v).contains(IpPrefix.toLong(p.ipDst()));
          case "-s" -> IpPrefix.parse(v).contains(IpPrefix.toLong(p.ipSrc()));
          case "-i" -> v.equals(at.inDev());
          case "-o" -> v.equals(at.outDev());
          case "-p" -> v.equals(p.protocol());
          case "--dport" -> p.dstPort() > 0 && Integer.toString(p.dstPort()).equals(v);
          case "--ctstate" -> at.dnatDone() && List.of(v.split(",")).contains("DNAT");
          default -> null; // -m, -j and the targets' options select nothing
        };
        if (holds != null && holds == negate) {
          return false;
        }
        if (!t.startsWith("-")) {
          continue;
        }
        negate = false;
        i++;
      }
      return true;
    }
  }
}

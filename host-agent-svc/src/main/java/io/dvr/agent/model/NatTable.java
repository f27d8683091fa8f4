package io.dvr.agent.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The iptables nat table of one namespace: user chains (sorted) and rules in the order
 * {@code iptables -S} prints them: built-in chains first in table order, then user chains by
 * name; within a chain, evaluation order.
 */
public record NatTable(SortedSet<String> chains, List<NatRule> rules) {
  public static final List<String> BUILTIN = List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING");
  /** Built-in chains in table order, then user chains by byte order (as libiptc keeps them). */
  public static final Comparator<String> CHAIN_ORDER = (a, b) -> {
    int ia = BUILTIN.indexOf(a);
    int ib = BUILTIN.indexOf(b);
    if (ia >= 0 || ib >= 0) {
      return Integer.compare(ia < 0 ? BUILTIN.size() : ia, ib < 0 ? BUILTIN.size() : ib);
    }
    return a.compareTo(b);
  };

  // After CHAIN_ORDER: the constructor uses it.
  public static final NatTable EMPTY = new NatTable(new TreeSet<>(), List.of());

  public NatTable {
    chains = Sorted.set(chains);
    for (NatRule r : rules) {
      if (!BUILTIN.contains(r.chain()) && !chains.contains(r.chain())) {
        throw new IllegalArgumentException("nat rule '" + r + "' is in an undeclared chain");
      }
    }
    List<NatRule> ordered = new ArrayList<>(rules);
    ordered.sort(Comparator.comparing(NatRule::chain, CHAIN_ORDER)); // stable: keeps order in a chain
    rules = List.copyOf(ordered);
  }

  public boolean isEmpty() {
    return chains.isEmpty() && rules.isEmpty();
  }

  public List<NatRule> rules(String chain) {
    return rules.stream().filter(r -> r.chain().equals(chain)).toList();
  }

  /** Both tables' chains; within a chain this table's rules come first. */
  public NatTable merge(NatTable other) {
    SortedSet<String> allChains = new TreeSet<>(chains);
    allChains.addAll(other.chains);
    List<NatRule> all = new ArrayList<>(rules);
    all.addAll(other.rules);
    return new NatTable(allChains, all);
  }

  /** The part owned by whoever owns the chains {@code ours} accepts: those chains, and jumps to them. */
  public NatTable owned(Predicate<String> ours) {
    SortedSet<String> kept = new TreeSet<>();
    chains.stream().filter(ours).forEach(kept::add);
    List<NatRule> keptRules = rules.stream().filter(r -> ours.test(r.chain()) || isJumpTo(r, ours)).toList();
    return new NatTable(kept, keptRules);
  }

  /** This table without what {@link #owned} returns. */
  public NatTable withoutOwned(Predicate<String> ours) {
    SortedSet<String> kept = new TreeSet<>();
    chains.stream().filter(ours.negate()).forEach(kept::add);
    List<NatRule> keptRules = rules.stream().filter(r -> !ours.test(r.chain()) && !isJumpTo(r, ours)).toList();
    return new NatTable(kept, keptRules);
  }

  private static boolean isJumpTo(NatRule r, Predicate<String> ours) {
    return BUILTIN.contains(r.chain()) && r.spec().startsWith("-j ") && ours.test(r.spec().substring(3));
  }
}

package io.dvr.agent.driver.linux;

import io.dvr.agent.model.NatRule;
import io.dvr.agent.model.NatTable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The nat table between {@code iptables-save -t nat} and {@code iptables-restore -n}. A restore
 * rewrites only what belongs to our chains: it flushes (or creates) our chains, deletes the jumps
 * to them from built-in chains, inserts the wanted jumps at the top of those chains in order,
 * appends our rules and removes our chains no longer wanted. Other chains and rules are not named
 * in the restore, so {@code -n} leaves them as they are.
 */
final class NatRestore {
  private NatRestore() {}

  /** The nat table of an {@code iptables-save -t nat} output: user chains and every rule. */
  static NatTable parse(String save) {
    SortedSet<String> chains = new TreeSet<>();
    List<NatRule> rules = new ArrayList<>();
    boolean inNat = false;
    for (String raw : save.split("\n")) {
      String line = raw.strip();
      if (line.startsWith("*")) {
        inNat = line.equals("*nat");
      } else if (!inNat || line.isEmpty() || line.startsWith("#") || line.equals("COMMIT")) {
        continue;
      } else if (line.startsWith(":")) {
        String chain = line.substring(1).split(" ")[0];
        if (!NatTable.BUILTIN.contains(chain)) {
          chains.add(chain);
        }
      } else if (line.startsWith("-A ")) {
        String rest = line.substring(3);
        int space = rest.indexOf(' ');
        String chain = space < 0 ? rest : rest.substring(0, space);
        rules.add(new NatRule(chain, space < 0 ? "" : rest.substring(space + 1)));
        if (!NatTable.BUILTIN.contains(chain)) {
          chains.add(chain);
        }
      }
    }
    return new NatTable(chains, rules);
  }

  /** The {@code iptables-restore -n} input that turns {@code observed}'s part of {@code ours} into {@code wanted}. */
  static String script(NatTable observed, NatTable wanted, Predicate<String> ours) {
    List<String> lines = new ArrayList<>();
    lines.add("*nat");
    SortedSet<String> present = new TreeSet<>(observed.owned(ours).chains());
    for (String chain : wanted.chains()) {
      checkOurs(chain, ours);
      lines.add((present.contains(chain) ? "-F " : "-N ") + Args.token(chain));
    }
    SortedSet<String> stale = new TreeSet<>(present);
    stale.removeAll(wanted.chains());
    stale.forEach(chain -> lines.add("-F " + chain));
    for (NatRule r : observed.owned(ours).rules()) {
      if (NatTable.BUILTIN.contains(r.chain())) {
        lines.add("-D " + r.chain() + " " + r.spec());
      }
    }
    Map<String, Integer> position = new TreeMap<>();
    for (NatRule r : wanted.rules()) {
      String spec = spec(r);
      if (NatTable.BUILTIN.contains(r.chain())) {
        int at = position.merge(r.chain(), 1, Integer::sum);
        lines.add("-I " + r.chain() + " " + at + " " + spec);
      } else {
        checkOurs(r.chain(), ours);
        lines.add("-A " + r.chain() + " " + spec);
      }
    }
    stale.forEach(chain -> lines.add("-X " + chain));
    lines.add("COMMIT");
    return String.join("\n", lines) + "\n";
  }

  /**
   * The {@code iptables-restore -n} input that turns {@code known} (our part of the table as last
   * written or read) into {@code wanted} by deleting and inserting only the rules that differ, each
   * insert at its place in its chain (our jumps are the top of the built-in chains). Empty when a
   * delta cannot say it (a chain to make or remove, a rule twice in a chain, kept rules in another
   * order) or nothing differs. Every {@code -D} names a rule that must be there and every {@code -I}
   * a place that must exist, so a table that lost rules since makes the whole restore fail (it is
   * one transaction): the caller then reads the table and restores in full.
   */
  static Optional<String> delta(NatTable known, NatTable wanted, Predicate<String> ours) {
    NatTable have = known.owned(ours);
    if (!have.chains().equals(wanted.chains())) {
      return Optional.empty();
    }
    SortedSet<String> chains = new TreeSet<>(NatTable.CHAIN_ORDER);
    have.rules().forEach(r -> chains.add(r.chain()));
    wanted.rules().forEach(r -> chains.add(r.chain()));
    List<String> deletes = new ArrayList<>();
    List<String> inserts = new ArrayList<>();
    for (String chain : chains) {
      if (!NatTable.BUILTIN.contains(chain)) {
        checkOurs(chain, ours);
      }
      List<String> was = have.rules(chain).stream().map(NatRule::spec).toList();
      if (!was.stream().allMatch(NatRestore::safe)) {
        return Optional.empty(); // a rule read back that a restore line cannot name: the full restore flushes it
      }
      List<String> want = wanted.rules(chain).stream().map(NatRestore::spec).toList();
      Set<String> wasSet = new HashSet<>(was);
      Set<String> wantSet = new HashSet<>(want);
      if (wasSet.size() != was.size() || wantSet.size() != want.size()
          || !was.stream().filter(wantSet::contains).toList().equals(want.stream().filter(wasSet::contains).toList())) {
        return Optional.empty();
      }
      was.stream().filter(spec -> !wantSet.contains(spec)).forEach(spec -> deletes.add("-D " + chain + " " + spec));
      // In the chain's order: when a rule goes in, all wanted before it are already in their places.
      for (int i = 0; i < want.size(); i++) {
        if (!wasSet.contains(want.get(i))) {
          inserts.add("-I " + chain + " " + (i + 1) + " " + want.get(i));
        }
      }
    }
    if (deletes.isEmpty() && inserts.isEmpty()) {
      return Optional.empty();
    }
    List<String> lines = new ArrayList<>(List.of("*nat"));
    lines.addAll(deletes);
    lines.addAll(inserts);
    lines.add("COMMIT");
    return Optional.of(String.join("\n", lines) + "\n");
  }

  private static boolean safe(String spec) {
    try {
      for (String word : spec.split(" ")) {
        Args.token(word);
      }
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String spec(NatRule r) {
    for (String word : r.spec().split(" ")) {
      Args.token(word);
    }
    return r.spec();
  }

  private static void checkOurs(String chain, Predicate<String> ours) {
    if (!ours.test(chain)) {
      throw new IllegalArgumentException("nat chain " + chain + " is not ours to write");
    }
  }
}

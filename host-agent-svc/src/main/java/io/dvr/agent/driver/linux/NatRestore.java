package io.dvr.agent.driver.linux;

import io.dvr.agent.model.NatRule;
import io.dvr.agent.model.NatTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

package io.dvr.agent.driver.listing;

import io.dvr.agent.model.NatRule;
import io.dvr.agent.model.NatTable;
import java.util.ArrayList;
import java.util.List;

/** {@code iptables -t nat -S}: policies, user chains, then rules chain by chain. */
public final class IptablesListing {
  private IptablesListing() {}

  public static String print(NatTable nat) {
    List<String> lines = new ArrayList<>();
    NatTable.BUILTIN.forEach(c -> lines.add("-P " + c + " ACCEPT"));
    nat.chains().forEach(c -> lines.add("-N " + c));
    nat.rules().stream().map(NatRule::toString).forEach(lines::add);
    return Lines.of(lines);
  }
}

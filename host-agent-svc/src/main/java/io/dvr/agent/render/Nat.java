package io.dvr.agent.render;

import io.dvr.agent.model.NatRule;
import io.dvr.agent.model.NatTable;
import java.util.ArrayList;
import java.util.List;

/** Rule texts of our nat chains, in the form {@code iptables -S} prints them. */
final class Nat {
  private Nat() {}

  static String metadataRedirect() {
    return "-d " + Names.METADATA_IP + "/32 -p tcp -m tcp --dport " + Names.METADATA_PORT
        + " -j REDIRECT --to-ports " + Names.METADATA_PROXY_PORT;
  }

  static String jump(String chain) {
    return "-j " + chain;
  }

  static String dnat(String floatingIp, String fixedIp) {
    return "-d " + floatingIp + "/32 -j DNAT --to-destination " + fixedIp;
  }

  static String floatSnat(String fixedIp, String floatingIp) {
    return "-s " + fixedIp + "/32 -j SNAT --to-source " + floatingIp;
  }

  static String snat(String cidr, String gatewayIp) {
    return "-s " + cidr + " -j SNAT --to-source " + gatewayIp;
  }

  /** Traffic that neither enters nor leaves by {@code device} and was not DNATed skips SNAT. */
  static String acceptUnlessDnat(String device) {
    return "! -i " + device + " ! -o " + device + " -m conntrack ! --ctstate DNAT -j ACCEPT";
  }

  /**
   * Adds the jumps from built-in chains to our chains, but only to chains that hold rules: the
   * seed's snat- listing has the two POSTROUTING jumps and no PREROUTING/OUTPUT jump.
   */
  static NatTable wire(NatTable table) {
    if (table.isEmpty()) {
      return table;
    }
    List<NatRule> jumps = new ArrayList<>();
    addJumpIfUsed(table, "PREROUTING", Names.CHAIN_PREROUTING, jumps);
    addJumpIfUsed(table, "OUTPUT", Names.CHAIN_OUTPUT, jumps);
    addJumpIfUsed(table, "POSTROUTING", Names.CHAIN_POSTROUTING, jumps);
    addJumpIfUsed(table, "POSTROUTING", Names.CHAIN_POSTROUTING_BOTTOM, jumps);
    List<NatRule> all = new ArrayList<>(jumps);
    all.addAll(table.rules());
    return new NatTable(table.chains(), all);
  }

  private static void addJumpIfUsed(NatTable table, String builtin, String chain, List<NatRule> into) {
    if (!table.rules(chain).isEmpty()) {
      into.add(new NatRule(builtin, jump(chain)));
    }
  }
}

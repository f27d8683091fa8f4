package io.dvr.agent.model;

/** One rule of the nat table: {@code -A <chain> <spec>}, spec as {@code iptables -S} prints it. */
public record NatRule(String chain, String spec) {
  @Override
  public String toString() {
    return "-A " + chain + " " + spec;
  }
}

package io.dvr.agent.render;

/** The tunnel type of a host; decides which br-tun table maps tunnel ids to local VLANs. */
public enum TunnelType {
  GRE(Names.TUN_GRE_TO_LV),
  VXLAN(Names.TUN_VXLAN_TO_LV);

  private final int table;

  TunnelType(int table) {
    this.table = table;
  }

  public int table() {
    return table;
  }

  /** The OVS interface type of this host's tunnel ports. */
  public String ovsType() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

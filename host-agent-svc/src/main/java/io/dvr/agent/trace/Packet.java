package io.dvr.agent.trace;

/**
 * The packet being traced as the pipeline sees it at one point: Ethernet addresses, the local VLAN
 * while on br-int or br-tun ({@link #NO_VLAN} off them), the tunnel id once set, the IPv4
 * addresses, and optionally the protocol and destination port.
 */
public record Packet(String ethSrc, String ethDst, int vlan, long tunId, String ipSrc, String ipDst, String protocol,
    int dstPort) {
  public static final int NO_VLAN = 0;
  public static final long NO_TUNNEL = 0;

  public Packet {
    ethSrc = ethSrc == null ? "" : ethSrc.toLowerCase();
    ethDst = ethDst == null ? "" : ethDst.toLowerCase();
    protocol = protocol == null ? "" : protocol.toLowerCase();
  }

  /** An IP packet before it has Ethernet addresses. */
  public static Packet ip(String ipSrc, String ipDst, String protocol, int dstPort) {
    return new Packet("", "", NO_VLAN, NO_TUNNEL, ipSrc, ipDst, protocol, dstPort);
  }

  public Packet withEthSrc(String mac) {
    return new Packet(mac, ethDst, vlan, tunId, ipSrc, ipDst, protocol, dstPort);
  }

  public Packet withEthDst(String mac) {
    return new Packet(ethSrc, mac, vlan, tunId, ipSrc, ipDst, protocol, dstPort);
  }

  public Packet withVlan(int newVlan) {
    return new Packet(ethSrc, ethDst, newVlan, tunId, ipSrc, ipDst, protocol, dstPort);
  }

  public Packet withTunId(long newTunId) {
    return new Packet(ethSrc, ethDst, vlan, newTunId, ipSrc, ipDst, protocol, dstPort);
  }

  public Packet withIpSrc(String ip) {
    return new Packet(ethSrc, ethDst, vlan, tunId, ip, ipDst, protocol, dstPort);
  }

  public Packet withIpDst(String ip) {
    return new Packet(ethSrc, ethDst, vlan, tunId, ipSrc, ip, protocol, dstPort);
  }

  /** {@code 81.1.180.18 > 90.1.180.6 tcp/22}. */
  public String l3() {
    String what = protocol.isEmpty() ? "" : " " + protocol + (dstPort > 0 ? "/" + dstPort : "");
    return ipSrc + " > " + ipDst + what;
  }

  /** {@code fa:16:3e:30:ee:23 > fa:16:3e:63:3b:4c vlan 2}. */
  public String l2() {
    return ethSrc + " > " + ethDst + (vlan != NO_VLAN ? " vlan " + vlan : "")
        + (tunId != NO_TUNNEL ? " tun_id 0x" + Long.toHexString(tunId) : "");
  }
}

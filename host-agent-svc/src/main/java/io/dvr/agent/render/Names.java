package io.dvr.agent.render;

import io.dvr.agent.model.IpPrefix;
import java.util.List;
import java.util.Optional;

/**
 * The one place for the names and numbers of DVR kernel and OVS state (reference sections 2-8):
 * namespace and device names, rule priorities, route tables, link-local pairs, iptables chains,
 * OVS tables and priorities. Helpers parse names back to tell ours from foreign objects.
 */
public final class Names {
  private Names() {}

  // Namespaces are never cut; devices are cut to the kernel's IFNAMSIZ - 2 as Neutron does.
  public static final int DEV_NAME_LEN = 14;
  public static final String QROUTER = "qrouter-";
  public static final String SNAT = "snat-";
  public static final String FIP = "fip-";
  public static final List<String> NAMESPACE_PREFIXES = List.of(QROUTER, SNAT, FIP);
  public static final String QR = "qr-";
  public static final String SG = "sg-";
  public static final String QG = "qg-";
  public static final String FG = "fg-";
  public static final String RFP = "rfp-";
  public static final String FPR = "fpr-";
  public static final List<String> DEVICE_PREFIXES = List.of(QR, SG, QG, FG, RFP, FPR);

  public static String qrouterNamespace(String routerId) {
    return QROUTER + routerId;
  }

  public static String snatNamespace(String routerId) {
    return SNAT + routerId;
  }

  public static String fipNamespace(String externalNetworkId) {
    return FIP + externalNetworkId;
  }

  public static String device(String prefix, String id) {
    String name = prefix + id;
    return name.length() > DEV_NAME_LEN ? name.substring(0, DEV_NAME_LEN) : name;
  }

  public static String qrDevice(String portId) {
    return device(QR, portId);
  }

  public static String sgDevice(String portId) {
    return device(SG, portId);
  }

  public static String qgDevice(String portId) {
    return device(QG, portId);
  }

  public static String fgDevice(String portId) {
    return device(FG, portId);
  }

  public static String rfpDevice(String routerId) {
    return device(RFP, routerId);
  }

  public static String fprDevice(String routerId) {
    return device(FPR, routerId);
  }

  /** The prefix of one of our namespaces, or empty for a foreign one ({@code ns-other}). */
  public static Optional<String> namespacePrefix(String namespace) {
    return NAMESPACE_PREFIXES.stream().filter(p -> namespace.startsWith(p) && namespace.length() > p.length())
        .findFirst();
  }

  /** The prefix of one of our devices, or empty for a foreign one ({@code eth0}, {@code lo}). */
  public static Optional<String> devicePrefix(String device) {
    return DEVICE_PREFIXES.stream().filter(p -> device.startsWith(p) && device.length() > p.length()).findFirst();
  }

  public static boolean isOurNamespace(String namespace) {
    return namespacePrefix(namespace).isPresent();
  }

  public static boolean isOurDevice(String device) {
    return devicePrefix(device).isPresent();
  }

  /** The router or external network id a namespace name carries. */
  public static Optional<String> idOfNamespace(String namespace) {
    return namespacePrefix(namespace).map(p -> namespace.substring(p.length()));
  }

  // ---- ip rules and route tables (reference 3 and 4)

  /** Route table of floating IP traffic in qrouter- (FIP_RT_TBL). */
  public static final long FIP_TABLE = 16;
  /** FIP rule priorities: Python's range(32768, 36768) as the seed gives it. */
  public static final int FIP_PRIORITY_FIRST = 32768;
  public static final int FIP_PRIORITY_LAST = 36767;

  /** Rule priority and table of a subnet's SNAT redirection: the interface IPv4 as unsigned 32 bits. */
  public static long subnetIndex(String interfaceIp) {
    return IpPrefix.toLong(interfaceIp);
  }

  /** The allocation key of a FIP rule: fixed IPs may overlap across routers, so the router is part of it. */
  public static String fipRuleKey(String routerId, String fixedIp) {
    return routerId + "/" + fixedIp;
  }

  public static final IpPrefix LINK_LOCAL_POOL = IpPrefix.parse("169.254.30.0/23");
  public static final int LINK_LOCAL_PAIRS = 256;

  /** The rfp-/fpr- addresses of link-local pair {@code index} (0..255): rfp even, fpr odd, both /31. */
  public static LinkLocalPair linkLocalPair(int index) {
    if (index < 0 || index >= LINK_LOCAL_PAIRS) {
      throw new IllegalArgumentException("link-local pair index " + index + " is outside 0.." + (LINK_LOCAL_PAIRS - 1));
    }
    long even = LINK_LOCAL_POOL.address() + 2L * index;
    return new LinkLocalPair(new IpPrefix(even, 31), new IpPrefix(even + 1, 31));
  }

  public record LinkLocalPair(IpPrefix rfp, IpPrefix fpr) {}

  // ---- sysctls

  public static final String IP_FORWARD = "net.ipv4.ip_forward";
  /** Set in fip-: the gratuitous ARP for a floating IP is sent from fg- with an address fip- does not hold. */
  public static final String IP_NONLOCAL_BIND = "net.ipv4.ip_nonlocal_bind";
  public static final String ALL_SEND_REDIRECTS = "net.ipv4.conf.all.send_redirects";

  public static String sendRedirects(String device) {
    return "net.ipv4.conf." + device + ".send_redirects";
  }

  /** Set on an HA router's qg- and sg- devices: no IPv6 traffic from the MACs several hosts share. */
  public static String disableIpv6(String device) {
    return "net.ipv6.conf." + device + ".disable_ipv6";
  }

  public static String proxyArp(String device) {
    return "net.ipv4.conf." + device + ".proxy_arp";
  }

  // ---- iptables nat (Neutron's iptables manager wraps chains with the binary name)

  public static final String WRAP = "neutron-l3-agent-";
  public static final String CHAIN_PREROUTING = WRAP + "PREROUTING";
  public static final String CHAIN_OUTPUT = WRAP + "OUTPUT";
  public static final String CHAIN_POSTROUTING = WRAP + "POSTROUTING";
  public static final String CHAIN_SNAT = WRAP + "snat";
  public static final String CHAIN_FLOAT_SNAT = WRAP + "float-snat";
  public static final String CHAIN_POSTROUTING_BOTTOM = "neutron-postrouting-bottom";
  public static final List<String> OUR_CHAINS = List.of(CHAIN_OUTPUT, CHAIN_POSTROUTING, CHAIN_PREROUTING,
      CHAIN_FLOAT_SNAT, CHAIN_SNAT, CHAIN_POSTROUTING_BOTTOM);

  public static boolean isOurChain(String chain) {
    return OUR_CHAINS.contains(chain);
  }

  public static final String METADATA_IP = "169.254.169.254";
  public static final int METADATA_PORT = 80;
  public static final int METADATA_PROXY_PORT = 9697;

  // ---- Open vSwitch (reference 8)

  public static final String BR_INT = "br-int";
  public static final String BR_TUN = "br-tun";
  public static final String BR_EX = "br-ex";
  /** The patch ports joining br-int (patch-tun) and br-tun (patch-int), made when the host is set up. */
  public static final String PATCH_TUN = "patch-tun";
  public static final String PATCH_INT = "patch-int";

  /** The tunnel port to a peer's endpoint on br-tun, as Neutron's OVS agent names it: vxlan-ac1f000c. */
  public static String tunnelPort(String peerIp) {
    return String.format("vxlan-%08x", IpPrefix.toLong(peerIp));
  }
  /** Marks our flows: "DVR" in the top bytes; flows with another cookie are left alone. */
  public static final long FLOW_COOKIE = 0x4456520000000000L;
  public static final int DEFAULT_MTU = 1500;
  public static final int VLAN_FIRST = 1;
  public static final int VLAN_LAST = 4094;

  public static final int INT_LOCAL_SWITCHING = 0;
  public static final int INT_DVR_TO_SRC_MAC = 1;
  public static final int INT_CANARY = 23;
  public static final int TUN_PATCH_INT_IN = 0;
  public static final int TUN_DVR_PROCESS = 1;
  public static final int TUN_PATCH_LV_TO_TUN = 2;
  public static final int TUN_GRE_TO_LV = 3;
  public static final int TUN_VXLAN_TO_LV = 4;
  public static final int TUN_DVR_NOT_LEARN = 9;
  public static final int TUN_LEARN_FROM_TUN = 10;
  public static final int TUN_UCAST_TO_TUN = 20;
  public static final int TUN_ARP_RESPONDER = 21;
  public static final int TUN_FLOOD_TO_TUN = 22;

  public static final int PRIO_FROM_DVR_MAC = 2;
  public static final int PRIO_LOCAL_PORT = 4;
  public static final int PRIO_LOCAL_SUBNET = 2;
  public static final int PRIO_GATEWAY_ARP_DROP = 3;
  public static final int PRIO_GATEWAY_MAC_DROP = 2;
  public static final int PRIO_GATEWAY_SRC_REWRITE = 1;
  public static final int PRIO_NOT_LEARN = 1;
  public static final int PRIO_TUN_TO_LV = 1;
  /** Above PRIO_TUN_TO_LV: a host handing an HA router's SNAT over passes its sg- MACs' frames on. */
  public static final int PRIO_SNAT_HANDOVER = 2;
}

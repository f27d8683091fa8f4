package io.dvr.agent.driver.listing;

import io.dvr.agent.model.Device;
import io.dvr.agent.model.DeviceKind;
import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.NamespaceState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** {@code ip addr} of one namespace, devices by ifindex, as iproute2 of the seed's time prints it. */
public final class IpAddrListing {
  private IpAddrListing() {}

  private static final String FOREVER = "       valid_lft forever preferred_lft forever";

  public static String print(NamespaceState ns, Map<String, Integer> ifindex) {
    List<String> lines = new ArrayList<>();
    ns.devices().values().stream()
        .sorted(Comparator.comparingInt((Device d) -> ifindex.getOrDefault(d.name(), Integer.MAX_VALUE))
            .thenComparing(Device::name))
        .forEach(d -> device(d, ifindex.getOrDefault(d.name(), 0), lines));
    return Lines.of(lines);
  }

  private static void device(Device d, int index, List<String> lines) {
    if (d.kind() == DeviceKind.LOOPBACK) {
      lines.add(index + ": " + d.name() + ": <LOOPBACK> mtu " + d.mtu() + " qdisc noop state DOWN group default qlen 1000");
      lines.add("    link/loopback " + d.mac() + " brd 00:00:00:00:00:00");
      return;
    }
    String tail = d.kind() == DeviceKind.OVS_INTERNAL
        ? " qdisc noqueue state UNKNOWN group default"
        : " qdisc pfifo_fast state UP group default qlen 1000";
    lines.add(index + ": " + d.name() + ": <BROADCAST,MULTICAST,UP,LOWER_UP> mtu " + d.mtu() + tail);
    lines.add("    link/ether " + d.mac() + " brd ff:ff:ff:ff:ff:ff");
    for (IpPrefix a : d.addresses()) {
      // A /31 has no broadcast address; a /32 shows itself as broadcast (as Neutron adds it).
      String brd = a.length() == 31 ? "" : " brd " + (a.length() == 32 ? a.ip() : a.broadcast());
      lines.add("    inet " + a + brd + " scope global " + d.name());
      lines.add(FOREVER);
    }
    if (!d.mac().isEmpty()) {
      lines.add("    inet6 " + linkLocal(d.mac()) + "/64 scope link");
      lines.add(FOREVER);
    }
  }

  /** The EUI-64 link-local address the kernel derives from a MAC. */
  static String linkLocal(String mac) {
    String[] o = mac.split(":");
    int[] b = new int[6];
    for (int i = 0; i < 6; i++) {
      b[i] = Integer.parseInt(o[i], 16);
    }
    int g1 = ((b[0] ^ 0x02) << 8) | b[1];
    int g2 = (b[2] << 8) | 0xff;
    int g3 = (0xfe << 8) | b[3];
    int g4 = (b[4] << 8) | b[5];
    String head = g1 == 0 ? "fe80::" : "fe80::" + Integer.toHexString(g1) + ":";
    return head + Integer.toHexString(g2) + ":" + Integer.toHexString(g3) + ":" + Integer.toHexString(g4);
  }
}

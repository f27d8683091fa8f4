package io.dvr.gateway.store;

import io.dvr.common.net.Ipv4;
import io.dvr.common.net.Ipv4Cidr;
import io.vertx.sqlclient.Row;
import java.util.UUID;

/** What allocation and routing checks need to know of a subnet. */
public record SubnetInfo(UUID id, UUID networkId, Ipv4Cidr cidr, Ipv4 gateway, boolean external) {
  static final String COLUMNS = "s.id, s.network_id, s.cidr::text AS cidr, host(s.gateway_ip) AS gateway_ip, "
      + "n.router_external FROM subnets s JOIN networks n ON n.id = s.network_id";

  static SubnetInfo of(Row r) {
    String gw = r.getString("gateway_ip");
    return new SubnetInfo(r.getUUID("id"), r.getUUID("network_id"), Ipv4Cidr.parse("cidr", r.getString("cidr")),
        gw == null ? null : Ipv4.tryParse(gw), r.getBoolean("router_external"));
  }

  /** Whether the address may be given to a port: inside the CIDR, not its network or broadcast address. */
  public boolean usable(Ipv4 ip) {
    return cidr.contains(ip) && ip.compareTo(cidr.firstHost()) >= 0 && ip.compareTo(cidr.lastHost()) <= 0;
  }
}

package io.dvr.gateway.store;

import io.dvr.common.grpc.ApiError;
import io.dvr.common.net.Ipv4;
import io.dvr.common.net.Ipv4Cidr;
import io.vertx.sqlclient.Row;
import java.util.List;
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
    return refusal(ip) == null;
  }

  /** Why the address cannot be a port's on this subnet (outside it, its network or broadcast address), or null. */
  public String refusal(Ipv4 ip) {
    if (!cidr.contains(ip)) {
      return "outside subnet '" + id + "' (" + cidr + ")";
    }
    if (ip.compareTo(cidr.firstHost()) < 0) {
      return "is the network address of subnet '" + id + "' (" + cidr + ")";
    }
    if (ip.compareTo(cidr.lastHost()) > 0) {
      return "is the broadcast address of subnet '" + id + "' (" + cidr + ")";
    }
    return null;
  }

  /**
   * The subnet among {@code subnets} whose CIDR holds the address; refused, naming the field and the
   * address, when none does or when it is that subnet's network or broadcast address.
   */
  public static SubnetInfo holding(List<SubnetInfo> subnets, Ipv4 ip, String field, String where) {
    for (SubnetInfo s : subnets) {
      if (s.cidr.contains(ip)) {
        String why = s.refusal(ip);
        if (why != null) {
          throw ApiError.invalid(field, ip, why);
        }
        return s;
      }
    }
    throw ApiError.invalid(field, ip, "not inside any subnet of " + where);
  }
}

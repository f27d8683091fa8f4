package io.dvr.gateway.api;

import io.dvr.common.grpc.ApiError;
import io.dvr.common.net.Ipv4;
import io.dvr.common.net.Ipv4Cidr;
import io.dvr.common.net.ReservedIpv4;
import io.dvr.gateway.store.NetworkStore.NewSubnet;
import io.dvr.proto.v1.AllocationPool;
import io.dvr.proto.v1.CreateSubnetRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Checks a subnet request and fills in Neutron's defaults: gateway = first host, pools = the rest. */
final class SubnetSpec {
  private SubnetSpec() {}

  static NewSubnet of(CreateSubnetRequest r) {
    long ipVersion = Integer.toUnsignedLong(r.getIpVersion()); // a uint32 on the wire
    if (ipVersion == 6) {
      throw ApiError.invalid("ip_version", 6, "IPv6 is not supported yet; use ip_version 4");
    }
    if (ipVersion != 0 && ipVersion != 4) {
      throw ApiError.invalid("ip_version", ipVersion, "must be 4 (or 0 for 4)");
    }
    // Subnet names are optional, as in Neutron; networks and routers need one.
    String name = Validate.optionalName("name", r.getName());
    var networkId = Validate.id("network_id", r.getNetworkId());
    Ipv4Cidr cidr = Ipv4Cidr.parse("cidr", r.getCidr());
    if (cidr.prefix() > 30) {
      throw ApiError.invalid("cidr", cidr, "prefix length must be at most 30 to hold a gateway and an address");
    }
    // Tenant and external subnets alike: such addresses would never reach a VM or the outside.
    ReservedIpv4.overlapping(cidr).ifPresent(range -> {
      throw ApiError.invalid("cidr", cidr, "overlaps the reserved range " + range + "; no subnet may hold such addresses");
    });
    Ipv4 gateway = gateway(r, cidr);
    List<Ipv4[]> pools = r.getAllocationPoolsCount() == 0 ? defaultPools(cidr, gateway) : pools(r, cidr, gateway);
    return new NewSubnet(Validate.newId(r.getId()), networkId, name, cidr, gateway, pools, null);
  }

  private static Ipv4 gateway(CreateSubnetRequest r, Ipv4Cidr cidr) {
    if (r.getNoGateway()) {
      if (r.hasGatewayIp() && !r.getGatewayIp().isEmpty()) {
        throw ApiError.invalid("gateway_ip", r.getGatewayIp(), "cannot be given together with no_gateway");
      }
      return null;
    }
    if (!r.hasGatewayIp() || r.getGatewayIp().isEmpty()) {
      return cidr.firstHost();
    }
    Ipv4 gw = Ipv4.parse("gateway_ip", r.getGatewayIp());
    if (!cidr.contains(gw)) {
      throw ApiError.invalid("gateway_ip", gw, "outside the subnet " + cidr);
    }
    if (gw.equals(cidr.first()) || gw.equals(cidr.last())) {
      throw ApiError.invalid("gateway_ip", gw, "is the network or broadcast address of " + cidr);
    }
    return gw;
  }

  private static List<Ipv4[]> defaultPools(Ipv4Cidr cidr, Ipv4 gateway) {
    List<Ipv4[]> pools = new ArrayList<>();
    Ipv4 first = cidr.firstHost();
    Ipv4 last = cidr.lastHost();
    if (gateway == null) {
      pools.add(new Ipv4[] {first, last});
      return pools;
    }
    if (gateway.compareTo(first) > 0) {
      pools.add(new Ipv4[] {first, gateway.plus(-1)});
    }
    if (gateway.compareTo(last) < 0) {
      pools.add(new Ipv4[] {gateway.plus(1), last});
    }
    return pools;
  }

  private static List<Ipv4[]> pools(CreateSubnetRequest r, Ipv4Cidr cidr, Ipv4 gateway) {
    List<Ipv4[]> pools = new ArrayList<>();
    for (int i = 0; i < r.getAllocationPoolsCount(); i++) {
      AllocationPool p = r.getAllocationPools(i);
      String field = "allocation_pools[" + i + "]";
      Ipv4 start = Ipv4.parse(field + ".start", p.getStart());
      Ipv4 end = Ipv4.parse(field + ".end", p.getEnd());
      if (start.compareTo(end) > 0) {
        throw ApiError.invalid(field, p.getStart() + "-" + p.getEnd(), "start is after end");
      }
      if (start.compareTo(cidr.firstHost()) < 0 || end.compareTo(cidr.lastHost()) > 0) {
        throw ApiError.invalid(field, p.getStart() + "-" + p.getEnd(), "outside the host addresses of subnet " + cidr
            + " (" + cidr.firstHost() + "-" + cidr.lastHost() + ")");
      }
      if (gateway != null && start.compareTo(gateway) <= 0 && end.compareTo(gateway) >= 0) {
        throw ApiError.invalid(field, p.getStart() + "-" + p.getEnd(), "contains the gateway_ip " + gateway);
      }
      pools.add(new Ipv4[] {start, end});
    }
    pools.sort(Comparator.comparing(p -> p[0]));
    for (int i = 1; i < pools.size(); i++) {
      if (pools.get(i)[0].compareTo(pools.get(i - 1)[1]) <= 0) {
        throw ApiError.invalid("allocation_pools", pools.get(i)[0] + "-" + pools.get(i)[1],
            "overlaps pool " + pools.get(i - 1)[0] + "-" + pools.get(i - 1)[1]);
      }
    }
    return pools;
  }
}

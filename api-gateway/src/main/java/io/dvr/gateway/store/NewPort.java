package io.dvr.gateway.store;

import io.dvr.common.net.Ipv4;
import io.dvr.common.net.MacAddress;
import java.util.List;
import java.util.UUID;

/**
 * A port to create. Each address request names a subnet and optionally an exact address
 * (null: the next free one of the pools); {@code field} names it in error messages.
 */
public record NewPort(UUID id, UUID networkId, String name, MacAddress mac, String deviceOwner,
    String deviceId, String bindingHost, boolean adminStateUp, List<IpRequest> ips) {

  public record IpRequest(UUID subnetId, Ipv4 ip, String field) {}

  /** A port made by the system for a router or floating IP: random MAC, generated id, no host. */
  public static NewPort system(UUID networkId, String owner, UUID deviceId, List<IpRequest> ips) {
    return new NewPort(UUID.randomUUID(), networkId, "", null, owner, deviceId.toString(), "", true, ips);
  }
}

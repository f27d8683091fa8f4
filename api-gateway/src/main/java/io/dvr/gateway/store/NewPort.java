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
    String deviceId, String bindingHost, boolean adminStateUp, List<IpRequest> ips, String project) {

  public record IpRequest(UUID subnetId, Ipv4 ip, String field) {}

  /**
   * A port made by the system for a router or floating IP: random MAC, generated id, no host, in
   * the project of the router or floating IP it serves.
   */
  public static NewPort system(UUID networkId, String owner, UUID deviceId, List<IpRequest> ips, String project) {
    return new NewPort(UUID.randomUUID(), networkId, "", null, owner, deviceId.toString(), "", true, ips, project);
  }

  /** Whether the user asked for this port (one of the project's, counted by its port quota). */
  public boolean userPort() {
    return !deviceOwner.startsWith("network:");
  }
}

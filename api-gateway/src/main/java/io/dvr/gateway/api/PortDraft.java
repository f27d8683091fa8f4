package io.dvr.gateway.api;

import io.dvr.common.grpc.ApiError;
import io.dvr.common.model.DeviceOwners;
import io.dvr.common.net.Ipv4;
import io.dvr.common.net.MacAddress;
import io.dvr.gateway.auth.Caller;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.FixedIpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A CreatePortRequest checked field by field before any database work, with its caller. In a
 * bulk create each port's errors name its index ({@code ports[3].fixed_ips[0].ip_address ...}).
 */
record PortDraft(Caller caller, String requestedProject, UUID id, UUID networkId, String name, MacAddress mac,
    String owner, String deviceId, String host, boolean up, List<UUID> subnetIds, List<Ipv4> ips) {

  /** Validates the request; throws INVALID_ARGUMENT (or PERMISSION_DENIED) naming the field and the value. */
  static PortDraft of(CreatePortRequest r, Caller caller) {
    UUID networkId = Validate.id("network_id", r.getNetworkId());
    String name = Validate.optionalName("name", r.getName());
    String owner = Validate.deviceOwner(r.getDeviceOwner());
    if (DeviceOwners.isSystemManaged(owner)) {
      throw ApiError.invalid("device_owner", owner,
          "is reserved for ports made by the router and floating IP operations");
    }
    String deviceId = Validate.deviceId(r.getDeviceId());
    String host = Validate.host("binding_host", r.getBindingHost());
    MacAddress mac = r.getMacAddress().isEmpty() ? null : Validate.portMac(r.getMacAddress());
    UUID id = Validate.newId(r.getId());
    List<Ipv4> ips = new ArrayList<>();
    List<UUID> subnetIds = new ArrayList<>();
    for (int i = 0; i < r.getFixedIpsCount(); i++) {
      FixedIpRequest f = r.getFixedIps(i);
      String field = "fixed_ips[" + i + "]";
      if (f.getSubnetId().isEmpty() && f.getIpAddress().isEmpty()) {
        throw ApiError.invalid(field, "", "give a subnet_id, an ip_address or both");
      }
      subnetIds.add(Validate.optionalId(field + ".subnet_id", f.getSubnetId()));
      Ipv4 ip = Validate.optionalIp(field + ".ip_address", f.getIpAddress());
      int twice = ip == null ? -1 : ips.indexOf(ip);
      if (twice >= 0) {
        throw ApiError.invalid(field + ".ip_address", ip, "is given twice in the request (also fixed_ips["
            + twice + "])");
      }
      ips.add(ip);
    }
    // A port is its network's project's unless an admin says otherwise: checked here, chosen later.
    Calls.project(caller, r.getProjectId(), caller.projectId());
    boolean up = !r.hasAdminStateUp() || r.getAdminStateUp();
    return new PortDraft(caller, r.getProjectId(), id, networkId, name, mac, owner, deviceId, host, up, subnetIds, ips);
  }

  /** The error of port {@code index} of a bulk create: its message led by {@code ports[index]}. */
  static ApiError ofPort(int index, ApiError e) {
    // A field error reads "field 'value': reason", which becomes "ports[i].field 'value': reason".
    boolean field = e.status() == io.vertx.grpc.common.GrpcStatus.INVALID_ARGUMENT
        && e.getMessage().matches("^[a-z_\\[\\]0-9.]+ '.*");
    return new ApiError(e.status(), "ports[" + index + "]" + (field ? "." : ": ") + e.getMessage(), e.getCause());
  }
}

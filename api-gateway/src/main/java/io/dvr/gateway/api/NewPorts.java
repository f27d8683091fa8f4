package io.dvr.gateway.api;

import io.dvr.common.grpc.ApiError;
import io.dvr.common.net.Ipv4;
import io.dvr.gateway.store.NewPort;
import io.dvr.gateway.store.Ownership;
import io.dvr.gateway.store.Ownership.Kind;
import io.dvr.gateway.store.PortStore;
import io.dvr.gateway.store.SubnetInfo;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns checked drafts into ports to create, against the database in one go: the networks (whose
 * they are) and their subnets are read once for all drafts, then each draft's addresses are
 * resolved against its network's subnets. A draft that fails gets its own error; the others go on.
 */
final class NewPorts {
  /** A draft resolved: the port to create, or why it cannot be. */
  record Resolved(NewPort port, ApiError error) {}

  /** The drafts resolved, in order, and the subnets of their networks as read (the batch need not read them again). */
  record Resolution(List<Resolved> ports, Map<UUID, SubnetInfo> subnets) {
    /** The ports to create: those resolved without an error, in order. */
    List<NewPort> made() {
      return ports.stream().map(Resolved::port).filter(p -> p != null).toList();
    }
  }

  private NewPorts() {}

  static Future<Resolution> resolve(Tx tx, PortStore ports, List<PortDraft> drafts) {
    UUID[] networkIds = drafts.stream().map(PortDraft::networkId).distinct().toArray(UUID[]::new);
    // Both reads go at once (pipelined on the transaction's connection): one round trip.
    Future<List<Row>> networksRead = tx.all("SELECT id, project_id, router_external FROM networks WHERE id = ANY($1)",
        (Object) networkIds);
    Future<Map<UUID, List<SubnetInfo>>> subnetsRead = ports.subnetsOf(tx, networkIds);
    return networksRead.compose(networks -> subnetsRead.compose(subnets -> {
          Map<UUID, Row> byId = new HashMap<>();
          networks.forEach(r -> byId.put(r.getUUID("id"), r));
          List<Future<Resolved>> resolved = new ArrayList<>();
          for (PortDraft d : drafts) {
            Future<Resolved> one;
            try {
              Row network = byId.get(d.networkId());
              if (network == null) {
                throw ApiError.notFound("network", d.networkId().toString());
              }
              String networkProject = Ownership.owned(Kind.NETWORK, d.networkId(), d.caller().scope(),
                  network.getString("project_id"), network.getBoolean("router_external"));
              String project = Calls.project(d.caller(), d.requestedProject(), networkProject);
              one = addressRequests(tx, d, subnets.getOrDefault(d.networkId(), List.of()))
                  .map(requests -> new Resolved(new NewPort(d.id(), d.networkId(), d.name(), d.mac(), d.owner(),
                      d.deviceId(), d.host(), d.up(), requests, project), null));
            } catch (ApiError e) {
              one = Future.succeededFuture(new Resolved(null, e));
            }
            resolved.add(one.recover(err -> err instanceof ApiError e ? Future.succeededFuture(new Resolved(null, e))
                : Future.failedFuture(err)));
          }
          Map<UUID, SubnetInfo> read = new HashMap<>();
          subnets.values().forEach(list -> list.forEach(sub -> read.put(sub.id(), sub)));
          return Future.all(resolved).map(all -> new Resolution(resolved.stream().map(Future::result).toList(), read));
        }));
  }

  /** Resolves the requested addresses against the network's subnets (oldest first). */
  private static Future<List<NewPort.IpRequest>> addressRequests(Tx tx, PortDraft d, List<SubnetInfo> subnets) {
    UUID networkId = d.networkId();
    if (d.subnetIds().isEmpty()) {
      return Future.succeededFuture(subnets.isEmpty() ? List.of()
          : List.of(new NewPort.IpRequest(subnets.get(0).id(), null, "fixed_ips")));
    }
    List<NewPort.IpRequest> requests = new ArrayList<>();
    Future<Void> checks = Future.succeededFuture();
    for (int i = 0; i < d.subnetIds().size(); i++) {
      String field = "fixed_ips[" + i + "]";
      UUID subnetId = d.subnetIds().get(i);
      Ipv4 ip = d.ips().get(i);
      SubnetInfo subnet = subnetId != null
          ? subnets.stream().filter(s -> s.id().equals(subnetId)).findFirst().orElse(null)
          : SubnetInfo.holding(subnets, ip, field + ".ip_address", "network '" + networkId + "'");
      if (subnet == null) {
        // Another project's subnet is not found, as if it did not exist.
        checks = checks.compose(v -> Ownership.requireVisible(tx, Kind.SUBNET, subnetId, d.caller().scope())
            .map(found -> {
              throw ApiError.invalid(field + ".subnet_id", subnetId, "not a subnet of network '" + networkId + "'");
            }));
        continue;
      }
      if (ip != null && !subnet.usable(ip)) {
        throw ApiError.invalid(field + ".ip_address", ip, subnet.refusal(ip));
      }
      if (ip != null && ip.equals(subnet.gateway())) {
        throw ApiError.invalid(field + ".ip_address", ip, "is the gateway_ip of subnet '" + subnet.id()
            + "'; only a router interface takes it");
      }
      requests.add(new NewPort.IpRequest(subnet.id(), ip, field + ".ip_address"));
    }
    return checks.map(v -> requests);
  }
}

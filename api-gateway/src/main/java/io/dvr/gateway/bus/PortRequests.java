package io.dvr.gateway.bus;

import io.dvr.common.bus.Bus;
import io.dvr.common.security.HostCredentials;
import io.dvr.common.security.HostProofs;
import java.time.Clock;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.grpc.ApiError;
import io.dvr.gateway.store.FipGatewayPortStore;
import io.dvr.gateway.store.PortStore;
import io.dvr.proto.v1.FipGatewayPortKey;
import io.dvr.proto.v1.PortsWired;
import io.dvr.proto.v1.PortsWiredAck;
import io.dvr.proto.v1.SyncFipGatewayPortsRequest;
import io.dvr.proto.v1.SyncFipGatewayPortsResponse;
import io.dvr.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What other services ask of the owner of the ports over the event bus: agents report which
 * ports they wired (the ports' status), scheduler-svc asks for the fg- ports it decided on.
 */
public final class PortRequests {
  private static final Logger LOG = LoggerFactory.getLogger(PortRequests.class);

  private final Store store;
  private final PortStore ports;
  private final FipGatewayPortStore fipGateways;

  private final HostCredentials agents;

  /** {@code agents}: checks that a port-status report comes from its host's agent; null: no check (insecure). */
  public PortRequests(Store store, PortStore ports, HostCredentials agents) {
    this.agents = agents;
    this.store = store;
    this.ports = ports;
    this.fipGateways = new FipGatewayPortStore(ports);
  }

  /** Serves the requests; unregister the returned consumers to stop. */
  public List<MessageConsumer<Buffer>> serve(Vertx vertx) {
    return List.of(
        Bus.serve(vertx, EventAddresses.PORTS_WIRED, PortsWired.parser(), this::portsWired,
            HostProofs.admission(agents, EventAddresses.PORTS_WIRED, PortsWired::getHost, Clock.systemUTC())),
        Bus.serve(vertx, EventAddresses.SYNC_FIP_GATEWAY_PORTS, SyncFipGatewayPortsRequest.parser(),
            this::syncFipGatewayPorts));
  }

  /** An agent says which of its host's ports it has wired: those become ACTIVE, the others DOWN. */
  public Future<PortsWiredAck> portsWired(PortsWired report) {
    if (report.getHost().isEmpty()) {
      return Future.failedFuture(ApiError.invalid("host", "", "is required"));
    }
    List<UUID> ids;
    try {
      ids = report.getPortIdsList().stream().map(UUID::fromString).toList();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiError.invalid("port_ids", report.getPortIdsList(), "not UUIDs"));
    }
    return store.write(tx -> ports.setWired(tx, report.getHost(), ids)).map(changed -> {
      if (changed > 0) {
        LOG.info("host {}: {} port(s) changed status ({} wired)", report.getHost(), changed, ids.size());
      }
      return PortsWiredAck.newBuilder().setChanged(changed).build();
    });
  }

  /** Creates and deletes the fg- ports scheduler-svc decided on, in one transaction. */
  public Future<SyncFipGatewayPortsResponse> syncFipGatewayPorts(SyncFipGatewayPortsRequest request) {
    List<FipGatewayPortKey> create = request.getCreateList();
    List<UUID> delete;
    try {
      create.forEach(k -> UUID.fromString(k.getNetworkId()));
      delete = request.getDeletePortIdsList().stream().map(UUID::fromString).toList();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiError.invalid("network_id/delete_port_ids", request, "not UUIDs"));
    }
    if (create.stream().anyMatch(k -> k.getHost().isEmpty())) {
      return Future.failedFuture(ApiError.invalid("create.host", "", "is required"));
    }
    return store.write(tx -> {
      Future<int[]> chain = Future.succeededFuture(new int[2]);
      for (FipGatewayPortKey key : create) {
        chain = chain.compose(n -> fipGateways.ensure(tx, UUID.fromString(key.getNetworkId()), key.getHost())
            .map(made -> new int[] {n[0] + (made ? 1 : 0), n[1]}));
      }
      for (UUID id : delete) {
        chain = chain.compose(n -> fipGateways.delete(tx, id).map(gone -> new int[] {n[0], n[1] + (gone ? 1 : 0)}));
      }
      return chain;
    }).map(n -> {
      if (n[0] + n[1] > 0) {
        LOG.info("fg- ports: {} created, {} deleted", n[0], n[1]);
      }
      return SyncFipGatewayPortsResponse.newBuilder().setCreated(n[0]).setDeleted(n[1]).build();
    });
  }
}

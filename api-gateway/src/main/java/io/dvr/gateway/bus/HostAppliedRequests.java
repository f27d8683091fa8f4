package io.dvr.gateway.bus;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.grpc.ApiError;
import io.dvr.common.security.HostCredentials;
import io.dvr.common.security.HostProofs;
import io.dvr.gateway.store.AppliedStateStore;
import io.dvr.proto.v1.AppliedRouter;
import io.dvr.proto.v1.HostApplied;
import io.dvr.proto.v1.HostAppliedAck;
import io.dvr.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Clock;
import java.util.UUID;

/**
 * Agents report what their host applied (dvr.gateway.host-applied, with the proof of their host:
 * a report for another host is refused as port-status reports are); it is stored, then published
 * to every api-gateway instance (dvr.gateway.host-applied-stored) for the waits on changes.
 */
public final class HostAppliedRequests {
  private final Store store;
  private final AppliedStateStore applied;
  private final HostCredentials agents;
  private final ConvergenceMeters meters;

  /** {@code agents}: checks that a report comes from its host's agent; null: no check (insecure). */
  public HostAppliedRequests(Store store, AppliedStateStore applied, HostCredentials agents, ConvergenceMeters meters) {
    this.meters = meters;
    this.store = store;
    this.applied = applied;
    this.agents = agents;
  }

  public MessageConsumer<Buffer> serve(Vertx vertx) {
    return Bus.serve(vertx, EventAddresses.HOST_APPLIED, HostApplied.parser(), report -> hostApplied(vertx, report),
        HostProofs.admission(agents, EventAddresses.HOST_APPLIED, HostApplied::getHost, Clock.systemUTC()));
  }

  Future<HostAppliedAck> hostApplied(Vertx vertx, HostApplied report) {
    if (report.getHost().isEmpty()) {
      return Future.failedFuture(ApiError.invalid("host", "", "is required"));
    }
    for (AppliedRouter r : report.getRoutersList()) {
      try {
        UUID.fromString(r.getRouterId());
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(ApiError.invalid("routers.router_id", r.getRouterId(), "not a UUID"));
      }
    }
    return store.write(tx -> applied.record(tx, report)).map(newlySeen -> {
      newlySeen.forEach(meters::applied);
      Bus.publish(vertx, EventAddresses.HOST_APPLIED_STORED, report);
      return HostAppliedAck.getDefaultInstance();
    });
  }
}

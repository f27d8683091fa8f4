package io.dvr.scheduler;

import io.dvr.common.grpc.ApiError;
import io.dvr.proto.v1.AgentRouterRequest;
import io.dvr.proto.v1.ListHostsForRouterResponse;
import io.dvr.scheduler.store.SchedulerStore;
import io.dvr.scheduler.store.SnatPlacement;
import io.dvr.store.Store;
import io.vertx.core.Future;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * l3-agent-router-add / -remove as scheduler-svc answers them (dvr.scheduler.snat-router-add /
 * -remove, asked by api-gateway): the placement written ({@link SnatPlacement}), then the
 * router rescheduled (its hosts written and told) before the reply lists where it lives.
 */
final class ManualPlacement {
  private final Store store;
  private final SchedulerStore scheduler;
  private final SnatPlacement placement = new SnatPlacement();
  private final Consumer<SchedulerStore.Placement> placed;

  /** {@code placed}: tells the hosts of the placement and has the router's reschedule finish the rest (fg- ports). */
  ManualPlacement(Store store, SchedulerStore scheduler, Consumer<SchedulerStore.Placement> placed) {
    this.store = store;
    this.scheduler = scheduler;
    this.placed = placed;
  }

  Future<ListHostsForRouterResponse> add(AgentRouterRequest request) {
    return change(request, true);
  }

  Future<ListHostsForRouterResponse> remove(AgentRouterRequest request) {
    return change(request, false);
  }

  private Future<ListHostsForRouterResponse> change(AgentRouterRequest request, boolean add) {
    UUID agent;
    UUID router;
    try {
      agent = UUID.fromString(request.getAgentId());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiError.invalid("agent_id", request.getAgentId(), "not a valid UUID"));
    }
    try {
      router = UUID.fromString(request.getRouterId());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiError.invalid("router_id", request.getRouterId(), "not a valid UUID"));
    }
    // The change and the reschedule it implies in one transaction: the reply shows the hosts as they are now.
    return store.write(tx -> placement.hostOf(tx, agent).compose(host -> add
            ? placement.add(tx, router, host) : placement.remove(tx, router, host))
            .compose(v -> scheduler.reschedule(tx, router)))
        .onSuccess(placed::accept)
        .compose(v -> store.read(tx -> scheduler.hostsOf(tx, router)))
        .map(hosts -> ListHostsForRouterResponse.newBuilder().addAllHosts(hosts).build());
  }
}

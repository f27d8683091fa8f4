package io.dvr.scheduler;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.grpc.ApiError;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.ArpTables;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.GetArpTablesRequest;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.ListDvrMacsRequest;
import io.dvr.proto.v1.ListDvrMacsResponse;
import io.dvr.proto.v1.ListHostsForRouterRequest;
import io.dvr.proto.v1.ListHostsForRouterResponse;
import io.dvr.proto.v1.RouterArpTable;
import io.dvr.scheduler.store.HostRoutersQuery;
import io.dvr.scheduler.store.SchedulerStore;
import io.dvr.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one implementation of what scheduler-svc answers: a host's view of its routers
 * (GetHostRouters) and the hosts of a router (ListHostsForRouter). The event bus and the gRPC
 * face both call these. ARP tables and DVR MACs are asked of their owners, bounded by
 * {@code bus.request-timeout-ms}.
 */
final class HostViews {
  private static final Logger LOG = LoggerFactory.getLogger(HostViews.class);
  private final Vertx vertx;
  private final Store store;
  private final SchedulerStore scheduler;
  private final HostRoutersQuery hostRouters = new HostRoutersQuery();
  private final long busTimeoutMillis;

  HostViews(Vertx vertx, Store store, SchedulerStore scheduler, long busTimeoutMillis) {
    this.vertx = vertx;
    this.store = store;
    this.scheduler = scheduler;
    this.busTimeoutMillis = busTimeoutMillis;
  }

  Future<HostRouters> getHostRouters(GetHostRoutersRequest request) {
    String host = request.getHost();
    if (host.isEmpty()) {
      return Future.failedFuture(ApiError.invalid("host", host, "is required"));
    }
    List<UUID> only;
    try {
      only = request.getRouterIdsList().stream().map(UUID::fromString).toList();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiError.invalid("router_ids", request.getRouterIdsList(), "not UUIDs"));
    }
    long started = System.nanoTime();
    LOG.debug("host {}: view of routers {} asked", host, request.getRouterIdsList());
    Future<List<DvrHostMac>> macs = ask(EventAddresses.LIST_DVR_MACS, ListDvrMacsRequest.getDefaultInstance(),
        ListDvrMacsResponse.parser(), "mac-allocator-svc").map(ListDvrMacsResponse::getMacsList);
    // One snapshot for what the database holds, so its generation orders the view among the
    // host's views. The owners' answers (ARP tables, DVR MACs) are asked meanwhile and awaited
    // after the snapshot's transaction ended, bounded by the bus timeout.
    // The first three statements are sent together (pipelined on the transaction's connection), the
    // snapshot's first so that the generation is the one every statement reads.
    return store.snapshot(tx -> {
      Future<HostRoutersQuery.Snapshot> snapshot = hostRouters.snapshot(tx);
      Future<String> mode = hostRouters.agentMode(tx, host);
      Future<List<UUID>> bound = scheduler.routersOf(tx, host);
      return Future.all(snapshot, mode, bound).compose(read -> {
        List<UUID> ids = only.isEmpty() ? bound.result() : bound.result().stream().filter(only::contains).toList();
        Future<Map<UUID, List<ArpEntry>>> arp = arpTables(ids);
        return hostRouters.forHost(tx, host, mode.result(), ids)
            .map(view -> new Read(view.toBuilder().setGeneration(snapshot.result().generation())
                .addAllInProgress(snapshot.result().inProgress()).build(), arp));
      });
    })
        .compose(read -> {
          if (LOG.isDebugEnabled()) {
            LOG.debug("host {}: view of routers {} read from the database in {} ms", host, request.getRouterIdsList(),
                String.format("%.1f", (System.nanoTime() - started) / 1e6));
          }
          return Future.succeededFuture(read);
        })
        .compose(read -> Future.all(read.arpTables(), macs)
            .map(owners -> HostRoutersQuery.withOwners(read.view(), read.arpTables().result(), macs.result())))
        .onSuccess(view -> {
          if (LOG.isDebugEnabled()) {
            LOG.debug("host {}: view of routers {} answered in {} ms", host, request.getRouterIdsList(),
                String.format("%.1f", (System.nanoTime() - started) / 1e6));
          }
        });
  }

  /** What the snapshot read, and the ARP tables asked of arp-svc for its routers. */
  private record Read(HostRouters view, Future<Map<UUID, List<ArpEntry>>> arpTables) {}

  Future<ListHostsForRouterResponse> listHostsForRouter(ListHostsForRouterRequest request) {
    UUID router;
    try {
      router = UUID.fromString(request.getRouterId());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiError.invalid("router_id", request.getRouterId(), "not a valid UUID"));
    }
    return store.read(tx -> scheduler.hostsOf(tx, router))
        .map(hosts -> ListHostsForRouterResponse.newBuilder().addAllHosts(hosts).build());
  }

  private Future<Map<UUID, List<ArpEntry>>> arpTables(List<UUID> routers) {
    if (routers.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    GetArpTablesRequest request = GetArpTablesRequest.newBuilder()
        .addAllRouterIds(routers.stream().map(UUID::toString).toList()).build();
    return ask(EventAddresses.GET_ARP_TABLES, request, ArpTables.parser(), "arp-svc").map(tables -> {
      Map<UUID, List<ArpEntry>> byRouter = new HashMap<>();
      for (RouterArpTable table : tables.getTablesList()) {
        byRouter.put(UUID.fromString(table.getRouterId()), table.getEntriesList());
      }
      return byRouter;
    });
  }

  private <R> Future<R> ask(String address, com.google.protobuf.Message request, com.google.protobuf.Parser<R> reply,
      String owner) {
    return Bus.request(vertx, address, request, reply, busTimeoutMillis)
        .recover(err -> Future.failedFuture(err instanceof ApiError ? err
            : ApiError.unavailable(owner + " did not answer on " + address + ": " + err.getMessage())));
  }
}

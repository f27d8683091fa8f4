package io.dvr.macalloc;

import io.dvr.common.ServiceMain;
import io.dvr.common.ServiceResources;
import io.dvr.common.Stoppable;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.config.Settings;
import io.dvr.common.grpc.ApiError;
import io.dvr.common.grpc.GrpcErrors;
import io.dvr.proto.v1.AllocateDvrMacRequest;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.ListDvrMacsRequest;
import io.dvr.proto.v1.ListDvrMacsResponse;
import io.dvr.proto.v1.MacAllocatorServiceGrpcService;
import io.dvr.proto.v1.MacAllocatorServiceService;
import io.dvr.macalloc.store.DvrMacStore;
import io.dvr.store.Database;
import io.dvr.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * mac-allocator-svc: one unique DVR host MAC (fa:16:3f:..) per host, in dvr_host_macs. Agents ask
 * over the event bus ({@link EventAddresses#ALLOCATE_DVR_MAC}), users over gRPC; after each new
 * MAC the full list goes to every agent ({@link EventAddresses#DVR_MACS}). scheduler-svc asks for
 * the list ({@link EventAddresses#LIST_DVR_MACS}) when it compiles a host's view.
 * {@link #stop()} releases the server and the consumers.
 */
public final class MacAllocatorService extends MacAllocatorServiceService implements Stoppable {
  private static final Logger LOG = LoggerFactory.getLogger(MacAllocatorService.class);
  public static final String NAME = "mac-allocator";
  public static final int DEFAULT_PORT = 9092;
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.-]{0,252})");

  private final Vertx vertx;
  private final Store store;
  private final DvrMacStore macs;
  private final ServiceResources held;

  MacAllocatorService(Vertx vertx, Store store, DvrMacStore macs) {
    this.vertx = vertx;
    this.held = new ServiceResources(vertx);
    this.store = store;
    this.macs = macs;
  }

  public static Future<MacAllocatorService> start(Vertx vertx, Settings settings, Database db) {
    MacAllocatorService service = new MacAllocatorService(vertx, new Store(db.pool()), new DvrMacStore(new SecureRandom()));
    service.held.consumer(Bus.serve(vertx, EventAddresses.ALLOCATE_DVR_MAC, AllocateDvrMacRequest.parser(),
        service::allocateDvrMac));
    service.held.consumer(Bus.serve(vertx, EventAddresses.LIST_DVR_MACS, ListDvrMacsRequest.parser(),
        r -> service.list()));
    return service.held.served(
        ServiceMain.serve(vertx, settings, NAME, DEFAULT_PORT, List.of(MacAllocatorServiceGrpcService.of(service)), db.health()::check), service);
  }

  public int port() {
    return held.server().actualPort();
  }

  @Override
  public Future<Void> stop() {
    return held.stop();
  }

  @Override
  public Future<DvrHostMac> allocateDvrMac(AllocateDvrMacRequest request) {
    String host = request.getHost();
    if (!HOST.matcher(host).matches()) {
      return GrpcErrors.toStatus(Future.failedFuture(ApiError.invalid("host", host, "not a valid host name")),
          "AllocateDvrMac");
    }
    Future<DvrHostMac> result = store.write(tx -> macs.allocate(tx, host)).map(allocation -> {
      if (allocation.created()) {
        LOG.info("host {} gets DVR MAC {}", host, allocation.mac().getMacAddress());
        announce();
      }
      return allocation.mac();
    });
    return GrpcErrors.toStatus(result, "AllocateDvrMac");
  }

  @Override
  public Future<ListDvrMacsResponse> listDvrMacs(ListDvrMacsRequest request) {
    return GrpcErrors.toStatus(list(), "ListDvrMacs");
  }

  /** Every host's MAC, ordered by host. */
  Future<ListDvrMacsResponse> list() {
    return store.read(macs::list).map(list -> ListDvrMacsResponse.newBuilder().addAllMacs(list).build());
  }

  /** Sends the whole list to every agent, as Neutron's notifier does after each new MAC. */
  private void announce() {
    store.read(macs::list).onSuccess(list -> Bus.publish(vertx, EventAddresses.DVR_MACS,
            ListDvrMacsResponse.newBuilder().addAllMacs(list).build()))
        .onFailure(err -> LOG.warn("could not announce DVR MACs: {}", err.toString()));
  }
}

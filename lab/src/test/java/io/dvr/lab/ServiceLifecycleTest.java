package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.arp.ArpService;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.config.Settings;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.TestSecurity;
import io.dvr.gateway.ApiGateway;
import io.dvr.macalloc.MacAllocatorService;
import io.dvr.proto.v1.ArpTables;
import io.dvr.proto.v1.GetArpTablesRequest;
import io.dvr.proto.v1.ListDvrMacsRequest;
import io.dvr.proto.v1.ListDvrMacsResponse;
import io.dvr.proto.v1.ListHostsForRouterRequest;
import io.dvr.proto.v1.ListHostsForRouterResponse;
import io.dvr.proto.v1.PortsWired;
import io.dvr.proto.v1.PortsWiredAck;
import io.dvr.scheduler.SchedulerService;
import io.dvr.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each control-plane service started and stopped in-process, five times on one Vert.x and one
 * embedded PostgreSQL: after each stop nothing accepts connections on its port, nothing answers on its event-bus
 * addresses, it holds no timer, and the JVM's thread count does not grow from round to round.
 */
class ServiceLifecycleTest {
  static final int ROUNDS = 5;
  @TempDir Path dir;

  @Test
  @DisplayName("api-gateway, scheduler-svc, mac-allocator-svc and arp-svc stop cleanly, five times in a row")
  void startAndStopRepeatedly() throws Exception {
    int apiPort = freePort();
    int schedulerPort = freePort();
    int macPort = freePort();
    int arpPort = freePort();
    Settings settings = Settings.of(Map.ofEntries(Map.entry("db.data-dir", dir.resolve("pg").toString()),
        Map.entry("api.host", "127.0.0.1"), Map.entry("api.port", String.valueOf(apiPort)),
        Map.entry("rest.port", "0"),
        Map.entry("scheduler.host", "127.0.0.1"), Map.entry("scheduler.port", String.valueOf(schedulerPort)),
        Map.entry("mac-allocator.host", "127.0.0.1"), Map.entry("mac-allocator.port", String.valueOf(macPort)),
        Map.entry("arp.host", "127.0.0.1"), Map.entry("arp.port", String.valueOf(arpPort)),
        Map.entry("outbox.poll-ms", "200"), Map.entry("bus.request-timeout-ms", "5000"),
        Map.entry("security.dir", TestSecurity.dir().toString())));
    // Each TLS listen builds its SSL context on Vert.x's internal blocking pool, which grows one
    // thread per task up to its size (20): a small pool is full after the first round, so what the
    // rounds measure is what piles up, not how fast that pool fills.
    Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setInternalBlockingPoolSize(4));
    Database db = ApiClient.await(Database.open(vertx, settings));
    List<Integer> threads = new ArrayList<>();
    try {
      for (int round = 1; round <= ROUNDS; round++) {
        ApiGateway gateway = ApiClient.await(ApiGateway.start(vertx, settings, db));
        SchedulerService scheduler = ApiClient.await(SchedulerService.start(vertx, settings, db));
        MacAllocatorService macs = ApiClient.await(MacAllocatorService.start(vertx, settings, db));
        ArpService arp = ApiClient.await(ArpService.start(vertx, settings, db));

        // Running: each answers on its addresses and holds its periodic timers.
        assertThat(ApiClient.await(ask(vertx, EventAddresses.LIST_DVR_MACS, ListDvrMacsRequest.getDefaultInstance(),
            ListDvrMacsResponse.parser()))).isNotNull();
        assertThat(ApiClient.await(ask(vertx, EventAddresses.LIST_HOSTS_FOR_ROUTER,
            ListHostsForRouterRequest.newBuilder().setRouterId(UUID.randomUUID().toString()).build(),
            ListHostsForRouterResponse.parser())).getHostsList()).isEmpty();
        assertThat(ApiClient.await(ask(vertx, EventAddresses.GET_ARP_TABLES,
            GetArpTablesRequest.newBuilder().addRouterIds(UUID.randomUUID().toString()).build(),
            ArpTables.parser())).getTablesCount()).isEqualTo(1);
        assertThat(ApiClient.await(askAs("nowhere", vertx, EventAddresses.PORTS_WIRED,
            PortsWired.newBuilder().setHost("nowhere").build(), PortsWiredAck.parser())).getChanged()).isZero();
        assertThat(scheduler.activeTimers()).as("the scheduler's periodic resync").isPositive();
        assertThat(gateway.activeTimers()).as("the outbox relay's poll").isPositive();
        assertThat(listening(apiPort)).isTrue();

        ApiClient.await(arp.stop());
        ApiClient.await(macs.stop());
        ApiClient.await(scheduler.stop());
        ApiClient.await(gateway.stop());

        for (int port : List.of(apiPort, schedulerPort, macPort, arpPort)) {
          assertThat(releasedSoon(port)).as("round %d: port %d released", round, port).isTrue();
        }
        for (String address : List.of(EventAddresses.PORTS_WIRED, EventAddresses.SYNC_FIP_GATEWAY_PORTS,
            EventAddresses.GET_HOST_ROUTERS, EventAddresses.LIST_HOSTS_FOR_ROUTER, EventAddresses.ALLOCATE_DVR_MAC,
            EventAddresses.LIST_DVR_MACS, EventAddresses.GET_ARP_TABLES, EventAddresses.RESOURCE_CHANGED)) {
          assertThat(noHandlers(vertx, address)).as("round %d: no consumer left on %s", round, address).isTrue();
        }
        assertThat(scheduler.activeTimers()).as("round %d: scheduler timers", round).isZero();
        assertThat(arp.activeTimers()).as("round %d: arp timers", round).isZero();
        assertThat(gateway.activeTimers()).as("round %d: gateway timers", round).isZero();
        threads.add(ManagementFactory.getThreadMXBean().getThreadCount());
      }
    } finally {
      db.close();
      ApiClient.await(vertx.close());
    }
    // The first rounds may still fill Vert.x's lazily grown pools; after that nothing may pile up.
    assertThat(threads.get(ROUNDS - 1)).as("threads after each round: %s", threads).isLessThanOrEqualTo(threads.get(1) + 2);
  }

  static <R> Future<R> ask(Vertx vertx, String address, com.google.protobuf.Message request,
      com.google.protobuf.Parser<R> reply) {
    return Bus.request(vertx, address, request, reply, 5000);
  }

  /** Asked as the agent of {@code host} asks (with the proof of its credential). */
  static <R> Future<R> askAs(String host, Vertx vertx, String address, com.google.protobuf.Message request,
      com.google.protobuf.Parser<R> reply) {
    return Bus.request(vertx, address, request, reply, 5000, TestSecurity.proof(host).options(request));
  }

  /** Whether a request to the address finds no consumer (raw, so that publish addresses can be probed too). */
  static boolean noHandlers(Vertx vertx, String address) {
    try {
      ApiClient.await(vertx.eventBus().request(address, Buffer.buffer(), new DeliveryOptions().setSendTimeout(2000)));
      return false;
    } catch (RuntimeException e) {
      Throwable cause = e;
      while (cause != null && !(cause instanceof ReplyException)) {
        cause = cause.getCause();
      }
      return cause instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS;
    }
  }

  /**
   * A free port below the kernel's ephemeral range (32768 up): a port the kernel hands out for
   * port 0 could be taken by any other process the moment a service releases it, and then seem
   * not released.
   */
  static int freePort() throws IOException {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = 20_000 + random.nextInt(12_000);
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port between 20000 and 32000");
  }

  /**
   * Whether something accepts connections on the port. (Binding the port to see whether it is free
   * would also fail while another process's outgoing connection happens to use it as its local
   * port: these ports come from the ephemeral range.)
   */
  /**
   * Whether the port stops accepting within 5 s: a stopped server's listening socket is closed on
   * its acceptor's event loop, which on a loaded machine may run a moment after the stop completed.
   * A port never released still fails.
   */
  static boolean releasedSoon(int port) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    while (listening(port)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}

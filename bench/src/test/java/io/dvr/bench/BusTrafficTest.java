package io.dvr.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.GetArpTablesRequest;
import io.dvr.proto.v1.ArpTables;
import io.dvr.proto.v1.ListDvrMacsResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BusTrafficTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aPublishIsSentOnceAndDeliveredToEveryConsumerWithItsBytes() {
    BusTraffic traffic = new BusTraffic(vertx);
    int consumers = 3;
    Map<String, BusTraffic.Count> before = traffic.snapshot();
    for (int i = 0; i < consumers; i++) {
      Bus.listen(vertx, EventAddresses.DVR_MACS, ListDvrMacsResponse.parser(), m -> { });
    }
    ListDvrMacsResponse list = ListDvrMacsResponse.newBuilder()
        .addMacs(DvrHostMac.newBuilder().setHost("host-1").setMacAddress("fa:16:3f:00:00:01"))
        .addMacs(DvrHostMac.newBuilder().setHost("host-2").setMacAddress("fa:16:3f:00:00:02")).build();
    Bus.publish(vertx, EventAddresses.DVR_MACS, list);
    awaitDeliveries(traffic, EventAddresses.DVR_MACS, consumers);

    BusTraffic.Count c = BusTraffic.between(before, traffic.snapshot()).get(EventAddresses.DVR_MACS);
    assertThat(c.sent()).isEqualTo(1);
    assertThat(c.delivered()).isEqualTo(consumers);
    assertThat(c.sentBytes()).isGreaterThanOrEqualTo(list.getSerializedSize());
    assertThat(c.deliveredBytes()).isEqualTo(consumers * c.sentBytes());
  }

  @Test
  void perHostAddressesFoldIntoTheirPatternAndRepliesAreNamedByTheirRequest() {
    BusTraffic traffic = new BusTraffic(vertx);
    Bus.serve(vertx, EventAddresses.GET_ARP_TABLES, GetArpTablesRequest.parser(),
        req -> Future.succeededFuture(ArpTables.getDefaultInstance()));
    Bus.request(vertx, EventAddresses.GET_ARP_TABLES, GetArpTablesRequest.getDefaultInstance(), ArpTables.parser(),
        5_000).await();
    awaitDeliveries(traffic, "reply to " + EventAddresses.GET_ARP_TABLES, 1);

    Map<String, BusTraffic.Count> seen = traffic.snapshot();
    assertThat(seen.get(EventAddresses.GET_ARP_TABLES).delivered()).isEqualTo(1);
    assertThat(seen.get("reply to " + EventAddresses.GET_ARP_TABLES).sent()).isEqualTo(1);
    assertThat(BusTraffic.pattern(EventAddresses.arpUpdate("host-7"))).isEqualTo("dvr.host.{host}.arp");
    assertThat(BusTraffic.pattern("somewhere.else")).isEqualTo(BusTraffic.OTHER);
  }

  /** Deliveries are counted on the consumers' context: waits for them (bounded) before reading. */
  private void awaitDeliveries(BusTraffic traffic, String kind, long n) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (traffic.snapshot().getOrDefault(kind, new BusTraffic.Count(0, 0, 0, 0)).delivered() < n) {
      assertThat(System.nanoTime()).as("deliveries of " + kind).isLessThan(deadline);
      vertx.timer(5).await();
    }
  }
}

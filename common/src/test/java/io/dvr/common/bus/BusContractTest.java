package io.dvr.common.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.proto.v1.AllocateDvrMacRequest;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RoutersChanged;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BusContractTest {
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  @DisplayName("a message to a host's agent reaches every registration of its address (the relay it left, not yet declared dead, and the one it moved to)")
  void perHostMessageReachesEveryRegistration() throws Exception {
    String address = EventAddresses.routersChanged("h-moved");
    java.util.List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
    var left = Bus.listen(vertx, address, RoutersChanged.parser(), m -> got.add("left " + m.getRouterIds(0)));
    var movedTo = Bus.listen(vertx, address, RoutersChanged.parser(), m -> got.add("moved-to " + m.getRouterIds(0)));
    try {
      for (int i = 0; i < 2; i++) {
        Bus.send(vertx, address, RoutersChanged.newBuilder().addRouterIds("r" + i).build());
      }
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
      while (got.size() < 4 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(got).containsExactlyInAnyOrder("left r0", "moved-to r0", "left r1", "moved-to r1");
    } finally {
      left.unregister().await();
      movedTo.unregister().await();
    }
  }

  @Test
  @DisplayName("every address is bound once, with one kind, one request type, a reply type exactly for requests, and one owner")
  void everyAddressHasOneTypeAndOneOwner() {
    Set<String> seen = new HashSet<>();
    Set<String> owners = Set.of(BusContract.API_GATEWAY, BusContract.SCHEDULER, BusContract.MAC_ALLOCATOR,
        BusContract.ARP, BusContract.HOST_AGENT);
    for (BusContract.Binding b : BusContract.all()) {
      assertThat(seen.add(b.address())).as("%s bound once", b.address()).isTrue();
      assertThat(b.kind()).as("kind of %s", b.address()).isNotNull();
      assertThat(b.request()).as("message type of %s", b.address()).isNotNull();
      assertThat(b.reply() != null).as("reply type of %s", b.address())
          .isEqualTo(b.kind() == BusContract.Kind.REQUEST_REPLY);
      assertThat(owners).as("owner of %s", b.address()).contains(b.owner());
      // A concrete address of the binding finds this binding and no other.
      String concrete = b.address().replace(BusContract.HOST, "compute1.example");
      List<BusContract.Binding> matching = BusContract.all().stream().filter(o -> o.matches(concrete)).toList();
      assertThat(matching).as("bindings matching %s", concrete).containsExactly(b);
    }
  }

  @Test
  @DisplayName("every EventAddresses constant and per-host address is in the contract")
  void everyEventAddressIsRegistered() throws Exception {
    List<String> addresses = new ArrayList<>();
    for (var field : EventAddresses.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
          && !field.getName().endsWith("_HEADER")) {
        addresses.add((String) field.get(null));
      }
    }
    for (Method m : EventAddresses.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers()) && m.getReturnType() == String.class && m.getParameterCount() == 1) {
        addresses.add((String) m.invoke(null, "host-1.lab"));
      }
    }
    assertThat(addresses).hasSizeGreaterThan(10);
    for (String address : addresses) {
      assertThat(BusContract.of(address)).as(address).isNotNull();
    }
    assertThat(BusContract.all()).hasSize(addresses.size());
  }

  @Test
  @DisplayName("Bus refuses an unknown address, a wrong message type, a wrong parser and a wrong kind, naming the address")
  void busChecksTheContract() {
    assertThatThrownBy(() -> Bus.send(vertx, "dvr.nowhere", RoutersChanged.getDefaultInstance()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dvr.nowhere");
    assertThatThrownBy(() -> Bus.send(vertx, EventAddresses.routersChanged("h1"), HostRouters.getDefaultInstance()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dvr.host.h1.routers-changed");
    assertThatThrownBy(() -> Bus.serve(vertx, EventAddresses.GET_HOST_ROUTERS, AllocateDvrMacRequest.parser(),
        r -> Future.succeededFuture(DvrHostMac.getDefaultInstance())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(EventAddresses.GET_HOST_ROUTERS);
    assertThatThrownBy(() -> Bus.request(vertx, EventAddresses.GET_HOST_ROUTERS, GetHostRoutersRequest.getDefaultInstance(),
        DvrHostMac.parser(), 1000))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(EventAddresses.GET_HOST_ROUTERS);
    assertThatThrownBy(() -> Bus.listen(vertx, EventAddresses.GET_HOST_ROUTERS, GetHostRoutersRequest.parser(), r -> {}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(EventAddresses.GET_HOST_ROUTERS);
    assertThatThrownBy(() -> Bus.publish(vertx, EventAddresses.routersChanged("h1"), RoutersChanged.getDefaultInstance()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dvr.host.h1.routers-changed");
  }

  @Test
  @DisplayName("a registered request round-trips through Bus")
  void registeredRequestRoundTrips() {
    var consumer = Bus.serve(vertx, EventAddresses.ALLOCATE_DVR_MAC, AllocateDvrMacRequest.parser(),
        r -> Future.succeededFuture(DvrHostMac.newBuilder().setHost(r.getHost()).setMacAddress("fa:16:3f:00:00:02").build()));
    try {
      DvrHostMac mac = Bus.request(vertx, EventAddresses.ALLOCATE_DVR_MAC,
          AllocateDvrMacRequest.newBuilder().setHost("h1").build(), DvrHostMac.parser(), 5000).await();
      assertThat(mac.getMacAddress()).isEqualTo("fa:16:3f:00:00:02");
    } finally {
      consumer.unregister().await();
    }
  }
}

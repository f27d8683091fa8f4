package io.dvr.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.link.RelayLink;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.config.Settings;
import io.dvr.common.grpc.ApiError;
import io.dvr.common.grpc.StatusMessage;
import io.dvr.common.security.GrpcTls;
import io.dvr.common.security.HostCredentials;
import io.dvr.common.security.Identity;
import io.dvr.common.security.SecurityMaterial;
import io.dvr.proto.v1.AgentFrame;
import io.dvr.proto.v1.AgentRouterRequest;
import io.dvr.proto.v1.AllocateDvrMacRequest;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.GetHostStateRequest;
import io.dvr.proto.v1.HostRelayGrpcClient;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.HostStateListing;
import io.dvr.proto.v1.ListDvrMacsResponse;
import io.dvr.proto.v1.RelayFrame;
import io.dvr.proto.v1.RelayHello;
import io.dvr.proto.v1.RelayListen;
import io.dvr.proto.v1.RelayReply;
import io.dvr.proto.v1.RelayRequest;
import io.dvr.proto.v1.RoutersChanged;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay between the control plane's event bus (one Vert.x, the services' stand-ins on its bus)
 * and a host agent that is no member of it (another Vert.x, nothing but its {@link RelayLink}),
 * over real gRPC with TLS and the agent's certificate.
 */
class RelayServiceTest {
  @TempDir
  static Path dir;
  static Settings settings;

  Vertx control;
  Vertx agentSide;
  final List<RelayService> relays = new ArrayList<>();
  final List<RelayLink> links = new ArrayList<>();

  @BeforeAll
  static void material() {
    SecurityMaterial.ensure(dir, List.of(Identity.service("relay-svc"), Identity.service("scheduler-svc"),
        Identity.hostAgent("compute1"), Identity.hostAgent("compute2")), List.of("localhost", "127.0.0.1"));
    settings = Settings.of(Map.of("security.dir", dir.toString(), "relay.port", "0", "relay.host", "127.0.0.1",
        "relay.keepalive-ms", "100"));
  }

  @BeforeEach
  void start() throws Exception {
    control = Vertx.vertx();
    agentSide = Vertx.vertx();
    Bus.serve(control, EventAddresses.GET_HOST_ROUTERS, GetHostRoutersRequest.parser(),
        request -> Future.succeededFuture(HostRouters.newBuilder().setHost(request.getHost()).build()));
    relays.add(get(RelayService.start(control, settings)));
  }

  @AfterEach
  void stop() throws Exception {
    for (RelayLink link : links) {
      get(link.close());
    }
    for (RelayService relay : relays) {
      get(relay.stop());
    }
    get(agentSide.close());
    get(control.close());
  }

  private RelayLink link(String host, RelayService... to) {
    List<SocketAddress> addresses = new ArrayList<>();
    for (RelayService relay : to) {
      addresses.add(SocketAddress.inetSocketAddress(relay.port(), "127.0.0.1"));
    }
    RelayLink link = new RelayLink(agentSide, GrpcTls.of(settings, Identity.hostAgent(host)).newClient(agentSide),
        addresses, host, new RelayLink.Retry(20, 100, 5_000));
    links.add(link);
    return link;
  }

  @Test
  @DisplayName("an agent's request goes to the service with its host proof, and a failure keeps its gRPC status")
  void requestsCarryProofAndStatus() throws Exception {
    List<String> proofs = new CopyOnWriteArrayList<>();
    Bus.serve(control, EventAddresses.ALLOCATE_DVR_MAC, AllocateDvrMacRequest.parser(), request -> request.getHost()
        .equals("compute1") ? Future.succeededFuture(DvrHostMac.newBuilder().setHost("compute1")
            .setMacAddress("fa:16:3f:00:00:01").build())
        : Future.failedFuture(new ApiError(GrpcStatus.NOT_FOUND, "no such host")));
    control.eventBus().addInboundInterceptor(ctx -> {
      if (EventAddresses.ALLOCATE_DVR_MAC.equals(ctx.message().address())) {
        proofs.add(String.valueOf(ctx.message().headers().get(HostCredentials.HEADER)));
      }
      ctx.next();
    });
    RelayLink link = link("compute1", relays.get(0));

    DvrHostMac mac = get(link.request(EventAddresses.ALLOCATE_DVR_MAC,
        AllocateDvrMacRequest.newBuilder().setHost("compute1").build(), DvrHostMac.parser(), 5_000,
        new DeliveryOptions().addHeader(HostCredentials.HEADER, "proof-of-compute1").addHeader("x-other", "dropped")));
    assertThat(mac.getMacAddress()).isEqualTo("fa:16:3f:00:00:01");
    assertThat(proofs).containsExactly("proof-of-compute1");

    // The agent of compute1 cannot claim a MAC for compute2: refused by the relay, the service never asked.
    ApiError refused = failure(link.request(EventAddresses.ALLOCATE_DVR_MAC,
        AllocateDvrMacRequest.newBuilder().setHost("compute2").build(), DvrHostMac.parser(), 5_000));
    assertThat(refused.status()).isEqualTo(GrpcStatus.PERMISSION_DENIED);
    assertThat(refused.getMessage()).contains("only for its own host, not for 'compute2'");
    assertThat(proofs).hasSize(1);

    // Nobody serves SNAT_ROUTER_ADD for agents: it is not an agent's request at all.
    ApiError notAgents = failure(link.request(EventAddresses.SNAT_ROUTER_ADD, AgentRouterRequest.getDefaultInstance(),
        io.dvr.proto.v1.ListHostsForRouterResponse.parser(), 5_000));
    assertThat(notAgents.status()).isEqualTo(GrpcStatus.PERMISSION_DENIED);
    assertThat(notAgents.getMessage()).contains("dvr.scheduler.snat-router-add").contains("not one of the requests");
  }

  @Test
  @DisplayName("the service's failure reaches the agent with its status and message")
  void serviceFailureKeepsStatus() throws Exception {
    Bus.serve(control, EventAddresses.LIST_HOSTS_FOR_ROUTER, io.dvr.proto.v1.ListHostsForRouterRequest.parser(),
        request -> Future.failedFuture(new ApiError(GrpcStatus.NOT_FOUND, "router 'r9' not found")));
    RelayLink link = link("compute1", relays.get(0));
    ApiError failed = failure(link.request(EventAddresses.LIST_HOSTS_FOR_ROUTER,
        io.dvr.proto.v1.ListHostsForRouterRequest.newBuilder().setRouterId("r9").build(),
        io.dvr.proto.v1.ListHostsForRouterResponse.parser(), 5_000));
    assertThat(failed.status()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(failed.getMessage()).isEqualTo("router 'r9' not found");
  }

  @Test
  @DisplayName("the agent takes its own host's messages and those to every agent, and answers its host's requests")
  void listensAndServes() throws Exception {
    RelayLink link = link("compute1", relays.get(0));
    CompletableFuture<RoutersChanged> changed = new CompletableFuture<>();
    CompletableFuture<ListDvrMacsResponse> macs = new CompletableFuture<>();
    link.listen(EventAddresses.routersChanged("compute1"), RoutersChanged.parser(), changed::complete);
    link.listen(EventAddresses.DVR_MACS, ListDvrMacsResponse.parser(), macs::complete);
    link.serve(EventAddresses.hostState("compute1"), GetHostStateRequest.parser(), request ->
        request.getNamespace().equals("missing")
            ? Future.failedFuture(new ApiError(GrpcStatus.NOT_FOUND, "no namespace 'missing' on compute1"))
            : Future.succeededFuture(HostStateListing.newBuilder().setHost("compute1").addSections(io.dvr.proto.v1.ListingSection.newBuilder().setTitle("ns").setText(request.getNamespace())).build()));
    awaitListening(relays.get(0), "compute1", 3);

    Bus.send(control, EventAddresses.routersChanged("compute1"), RoutersChanged.newBuilder().addRouterIds("r1").build());
    Bus.publish(control, EventAddresses.DVR_MACS, ListDvrMacsResponse.newBuilder()
        .addMacs(DvrHostMac.newBuilder().setHost("compute2").setMacAddress("fa:16:3f:00:00:02")).build());
    assertThat(changed.get(5, TimeUnit.SECONDS).getRouterIdsList()).containsExactly("r1");
    assertThat(macs.get(5, TimeUnit.SECONDS).getMacs(0).getHost()).isEqualTo("compute2");

    HostStateListing listing = get(Bus.request(control, EventAddresses.hostState("compute1"),
        GetHostStateRequest.newBuilder().setHost("compute1").setNamespace("qrouter-r1").build(), HostStateListing.parser(),
        5_000));
    assertThat(listing.getSections(0).getText()).isEqualTo("qrouter-r1");
    ApiError missing = failure(Bus.request(control, EventAddresses.hostState("compute1"),
        GetHostStateRequest.newBuilder().setNamespace("missing").build(), HostStateListing.parser(), 5_000));
    assertThat(missing.status()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(missing.getMessage()).isEqualTo("no namespace 'missing' on compute1");
  }

  @Test
  @DisplayName("the messages to every agent: one bus consumer per relay, each message to every attached agent, still to the others when one leaves")
  void sharedAddressesFanOut() throws Exception {
    RelayLink one = link("compute1", relays.get(0));
    RelayLink two = link("compute2", relays.get(0));
    List<String> got = new CopyOnWriteArrayList<>();
    one.listen(EventAddresses.DVR_MACS, ListDvrMacsResponse.parser(), m -> got.add("compute1 " + m.getMacsCount()));
    two.listen(EventAddresses.DVR_MACS, ListDvrMacsResponse.parser(), m -> got.add("compute2 " + m.getMacsCount()));
    awaitListening(relays.get(0), "compute1", 1);
    awaitListening(relays.get(0), "compute2", 1);
    assertThat(relays.get(0).sharedConsumers()).isEqualTo(1);

    Bus.publish(control, EventAddresses.DVR_MACS, ListDvrMacsResponse.newBuilder()
        .addMacs(DvrHostMac.newBuilder().setHost("compute1")).build());
    waitFor(() -> got.size() == 2, "both agents");
    assertThat(got).containsExactlyInAnyOrder("compute1 1", "compute2 1");

    get(one.close());
    links.remove(one);
    waitFor(() -> !relays.get(0).attachedHosts().contains("compute1"), "compute1 gone");
    assertThat(relays.get(0).sharedConsumers()).isEqualTo(1);
    Bus.publish(control, EventAddresses.DVR_MACS, ListDvrMacsResponse.newBuilder()
        .addMacs(DvrHostMac.newBuilder().setHost("compute1")).addMacs(DvrHostMac.newBuilder().setHost("compute2")).build());
    waitFor(() -> got.size() == 3, "the remaining agent");
    assertThat(got.get(2)).isEqualTo("compute2 2");
    get(two.close());
    links.remove(two);
    waitFor(() -> relays.get(0).sharedConsumers() == 0, "no agent left: no consumer left");
  }

  @Test
  @DisplayName("a relay that stops: the agent attaches to the next, takes its messages again, reports the gap, and a request made meanwhile is answered")
  void movesToAnotherRelay() throws Exception {
    RelayService second = get(RelayService.start(control, settings));
    relays.add(second);
    RelayLink link = link("compute1", relays.get(0), second);
    AtomicInteger gaps = new AtomicInteger();
    link.onGap(gaps::incrementAndGet);
    List<RoutersChanged> changes = new CopyOnWriteArrayList<>();
    link.listen(EventAddresses.routersChanged("compute1"), RoutersChanged.parser(), changes::add);
    awaitListening(relays.get(0), "compute1", 1);
    assertThat(gaps).hasValue(0);

    get(relays.remove(0).stop());
    Future<HostRouters> meanwhile = link.request(EventAddresses.GET_HOST_ROUTERS,
        GetHostRoutersRequest.newBuilder().setHost("compute1").build(), HostRouters.parser(), 10_000);
    assertThat(get(meanwhile).getHost()).isEqualTo("compute1");
    awaitListening(second, "compute1", 1);
    assertThat(gaps).hasValue(1);
    awaitAttached(link, second.port());

    Bus.send(control, EventAddresses.routersChanged("compute1"), RoutersChanged.newBuilder().addRouterIds("r2").build());
    waitFor(() -> !changes.isEmpty(), "the message through the second relay");
    assertThat(changes).extracting(c -> c.getRouterIds(0)).containsExactly("r2");
  }

  @Test
  @DisplayName("a relay whose name never resolves, or that accepts and says nothing, holds the agent only for the attach"
      + " time limit: it moves on to the next relay")
  void attachBounded() throws Exception {
    // A DNS server that takes the query and never answers (a resolver forwarding to an upstream that
    // is not there), with the client's own query timeout far beyond the test: only the link's bound helps.
    try (java.net.DatagramSocket silentDns = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
        java.net.ServerSocket silentRelay = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Vertx slowDns = Vertx.vertx(new io.vertx.core.VertxOptions().setAddressResolverOptions(
          new io.vertx.core.dns.AddressResolverOptions().addServer("127.0.0.1:" + silentDns.getLocalPort())
              .setHostsValue(io.vertx.core.buffer.Buffer.buffer("127.0.0.1 localhost\n")).setSearchDomains(new ArrayList<>())
              .setQueryTimeout(120_000).setMaxQueries(1)));
      try {
        int relay = relays.get(0).port();
        RelayLink link = new RelayLink(slowDns, GrpcTls.of(settings, Identity.hostAgent("compute1")).newClient(slowDns),
            List.of(SocketAddress.inetSocketAddress(relay, "relay-gone.invalid"),
                SocketAddress.inetSocketAddress(silentRelay.getLocalPort(), "127.0.0.1"),
                SocketAddress.inetSocketAddress(relay, "127.0.0.1")),
            "compute1", new RelayLink.Retry(20, 100, 300));
        try {
          link.listen(EventAddresses.routersChanged("compute1"), RoutersChanged.parser(), change -> { });
          awaitListening(relays.get(0), "compute1", 1);
          assertThat(awaitAttached(link, relay)).doesNotContain("relay-gone");
        } finally {
          get(link.close());
        }
      } finally {
        get(slowDns.close());
      }
    }
    assertThat(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new RelayLink.Retry(20, 100, 0)).getMessage()).contains("attach 0");
  }

  @Test
  @DisplayName("a relay that takes the stream and never welcomes is given up at the attach time limit, its connection"
      + " closed: the agent keeps no idle connection with it")
  void muteRelayLeftWithItsConnection() throws Exception {
    java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
    AtomicInteger streams = new AtomicInteger();
    io.vertx.core.http.HttpServer mute = control.createHttpServer(GrpcTls.of(settings, Identity.service("relay-svc"))
        .server(new io.vertx.core.http.HttpServerOptions().setHost("127.0.0.1").setPort(0)));
    mute.connectionHandler(connection -> {
      open.incrementAndGet();
      connection.closeHandler(v -> open.decrementAndGet());
    });
    mute.requestHandler(request -> streams.incrementAndGet()); // takes the stream, answers nothing
    get(mute.listen());
    try {
      RelayLink link = new RelayLink(agentSide, GrpcTls.of(settings, Identity.hostAgent("compute1")).newClient(agentSide),
          List.of(SocketAddress.inetSocketAddress(mute.actualPort(), "127.0.0.1"),
              SocketAddress.inetSocketAddress(relays.get(0).port(), "127.0.0.1")),
          "compute1", new RelayLink.Retry(20, 100, 500));
      links.add(link);
      link.listen(EventAddresses.routersChanged("compute1"), RoutersChanged.parser(), change -> { });
      awaitListening(relays.get(0), "compute1", 1);
      assertThat(streams).hasValueGreaterThanOrEqualTo(1);
      waitFor(() -> open.get() == 0, "the mute relay's connection closed by the agent");
    } finally {
      get(mute.close());
    }
  }

  @Test
  @DisplayName("with no relay to attach to, a request fails at its time limit with DEADLINE_EXCEEDED, naming the address")
  void noRelay() throws Exception {
    RelayService gone = relays.remove(0);
    int port = gone.port();
    get(gone.stop());
    RelayLink link = new RelayLink(agentSide, GrpcTls.of(settings, Identity.hostAgent("compute1")).newClient(agentSide),
        List.of(SocketAddress.inetSocketAddress(port, "127.0.0.1")), "compute1", new RelayLink.Retry(20, 100, 5_000));
    links.add(link);
    ApiError late = failure(link.request(EventAddresses.GET_HOST_ROUTERS,
        GetHostRoutersRequest.newBuilder().setHost("compute1").build(), HostRouters.parser(), 300));
    assertThat(late.status()).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
    assertThat(late.getMessage()).contains(EventAddresses.GET_HOST_ROUTERS).contains("no relay attached");
  }

  @Test
  @DisplayName("the stream's rules: hello first, for the certificate's own host; only the host's own addresses; a service certificate is refused")
  void rules() throws Exception {
    RelayService relay = relays.get(0);
    assertThat(raw(Identity.hostAgent("compute1"), relay, frame -> frame.setHello(RelayHello.newBuilder().setHost("compute2"))))
        .isEqualTo(GrpcStatus.PERMISSION_DENIED + ": the agent of host 'compute1' may attach only for its own host, not for host 'compute2'");
    assertThat(raw(Identity.hostAgent("compute1"), relay, frame -> frame.setListen(RelayListen.newBuilder()
        .setAddress(EventAddresses.routersChanged("compute1")))))
        .startsWith(GrpcStatus.INVALID_ARGUMENT + ": the first frame of a stream must be hello");
    assertThat(raw(Identity.service("scheduler-svc"), relay, frame -> frame.setHello(RelayHello.newBuilder().setHost("compute1"))))
        .startsWith(GrpcStatus.PERMISSION_DENIED + ": only host agents attach to a relay");
    assertThat(raw(Identity.hostAgent("compute1"), relay, frame -> frame.setHello(RelayHello.newBuilder().setHost("compute1")),
        frame -> frame.setListen(RelayListen.newBuilder().setAddress(EventAddresses.arpUpdate("compute2")))))
        .isEqualTo(GrpcStatus.PERMISSION_DENIED + ": the agent of host 'compute1' may take only its own host's messages"
            + " and those to every agent, not 'dvr.host.compute2.arp'");
    assertThat(raw(Identity.hostAgent("compute1"), relay, frame -> frame.setHello(RelayHello.newBuilder().setHost("compute1")),
        frame -> frame.setListen(RelayListen.newBuilder().setAddress(EventAddresses.RESOURCE_CHANGED))))
        .contains("not 'dvr.events.resource-changed'");
    assertThat(raw(Identity.hostAgent("compute1"), relay, frame -> frame.setHello(RelayHello.newBuilder().setHost("compute1")),
        frame -> frame.setListen(RelayListen.newBuilder().setAddress(EventAddresses.hostState("compute2")).setServe(true))))
        .contains("may serve only its own host's addresses, not 'dvr.host.compute2.state'");
    assertThat(relay.attachedHosts()).isEmpty();
  }

  @Test
  @DisplayName("a stream that never says hello is ended after three keepalive periods, INVALID_ARGUMENT")
  void silentStream() throws Exception {
    RelayService relay = relays.get(0);
    io.vertx.core.http.HttpClient http = agentSide.createHttpClient(
        GrpcTls.of(settings, Identity.hostAgent("compute1")).client());
    try {
      // The request's headers alone, no message: what a gRPC client cannot be made to send, HTTP/2 can.
      String status = get(http.request(io.vertx.core.http.HttpMethod.POST, relay.port(), "127.0.0.1",
          "/dvr.v1.HostRelay/Attach").compose(request -> {
            request.putHeader("content-type", "application/grpc").putHeader("te", "trailers").setChunked(true);
            Promise<String> ended = Promise.promise();
            request.response().onSuccess(response -> response.endHandler(v -> ended.complete(
                response.getHeader("grpc-status") != null ? response.getHeader("grpc-status") + " "
                    + StatusMessage.decode(response.getHeader("grpc-message"))
                    : response.getTrailer("grpc-status") + " " + StatusMessage.decode(response.getTrailer("grpc-message")))))
                .onFailure(ended::tryFail);
            request.sendHead();
            return ended.future();
          }));
      assertThat(status).isEqualTo(GrpcStatus.INVALID_ARGUMENT.code + " no hello within 300 ms of opening the stream");
    } finally {
      get(http.close());
    }
  }

  @Test
  @DisplayName("what an agent sends behind a refused hello is dropped: the stream ends once, with the refusal")
  void framesBehindRefusedHello() throws Exception {
    List<Throwable> unhandled = new CopyOnWriteArrayList<>();
    control.exceptionHandler(unhandled::add);
    RelayService relay = relays.get(0);
    SocketAddress at = SocketAddress.inetSocketAddress(relay.port(), "127.0.0.1");
    GrpcClient client = GrpcTls.of(settings, Identity.hostAgent("compute1")).newClient(agentSide);
    try {
      // As RelayLink attaches: hello, what it listens to and what it asks, all without waiting.
      GrpcClientRequest<AgentFrame, RelayFrame> refused = get(client.request(at, HostRelayGrpcClient.Attach));
      Future<String> ended = howItEnds(refused);
      refused.write(AgentFrame.newBuilder().setHello(RelayHello.newBuilder().setHost("compute2")).build());
      refused.write(AgentFrame.newBuilder().setListen(RelayListen.newBuilder()
          .setAddress(EventAddresses.routersChanged("compute2"))).build());
      refused.write(AgentFrame.newBuilder().setRequest(RelayRequest.newBuilder().setId(1)
          .setAddress(EventAddresses.GET_HOST_ROUTERS)).build());
      assertThat(get(ended)).isEqualTo(GrpcStatus.PERMISSION_DENIED
          + ": the agent of host 'compute1' may attach only for its own host, not for host 'compute2'");

      // A stream opened after it on the same connection is handled after the first one's frames.
      GrpcClientRequest<AgentFrame, RelayFrame> next = get(client.request(at, HostRelayGrpcClient.Attach));
      Future<RelayFrame> firstFrame = next.response().compose(response -> {
        Promise<RelayFrame> frame = Promise.promise();
        response.handler(frame::tryComplete);
        response.exceptionHandler(frame::tryFail);
        return frame.future();
      });
      next.write(AgentFrame.newBuilder().setHello(RelayHello.newBuilder().setHost("compute1")).build());
      RelayFrame first = get(firstFrame);
      assertThat(unhandled).as("exceptions the relay left unhandled").isEmpty();
      assertThat(first.getFrameCase()).isEqualTo(RelayFrame.FrameCase.WELCOME);
      next.end();
    } finally {
      get(client.close());
    }
  }

  @Test
  @DisplayName("an attempt to attach through a closed client is lost like any other, not thrown out of the link's context")
  void closedClientIsALostAttempt() throws Exception {
    List<Throwable> unhandled = new CopyOnWriteArrayList<>();
    agentSide.exceptionHandler(unhandled::add);
    GrpcClient client = GrpcTls.of(settings, Identity.hostAgent("compute1")).newClient(agentSide);
    get(client.close());
    RelayLink link = new RelayLink(agentSide, client,
        List.of(SocketAddress.inetSocketAddress(relays.get(0).port(), "127.0.0.1")), "compute1", new RelayLink.Retry(20, 100, 5_000));
    links.add(link);
    // The first attempt runs on the link's context before this question does.
    assertThat(get(link.attachedTo())).isEmpty();
    assertThat(unhandled).as("exceptions the link left unhandled").isEmpty();
  }

  /** Opens a stream with {@code identity}'s certificate, writes the frames, and returns how the relay ended it. */
  @SafeVarargs
  private String raw(Identity identity, RelayService relay,
      java.util.function.Consumer<AgentFrame.Builder>... frames) throws Exception {
    GrpcClient client = GrpcTls.of(settings, identity).newClient(agentSide);
    try {
      GrpcClientRequest<AgentFrame, RelayFrame> request = get(client.request(
          SocketAddress.inetSocketAddress(relay.port(), "127.0.0.1"), HostRelayGrpcClient.Attach));
      Future<String> ended = howItEnds(request);
      for (var f : frames) {
        AgentFrame.Builder b = AgentFrame.newBuilder();
        f.accept(b);
        request.write(b.build());
      }
      return get(ended);
    } finally {
      get(client.close());
    }
  }

  /**
   * The stream's status and message once the relay ends it. Called before the first frame is written: the
   * handlers are then set on the event loop as the answer arrives, in the same turn as a refusal's end. Set
   * from the test's thread after the answer had arrived, they could miss the end.
   */
  private static Future<String> howItEnds(GrpcClientRequest<AgentFrame, RelayFrame> request) {
    return request.response().compose(response -> {
      Promise<String> ended = Promise.promise();
      response.handler(frame -> { });
      response.endHandler(v -> ended.complete(response.status() + ": " + StatusMessage.of(response)));
      response.exceptionHandler(ended::tryFail);
      return ended.future();
    });
  }

  private void awaitListening(RelayService relay, String host, int addresses) throws Exception {
    waitFor(() -> {
      try {
        return get(relay.listening(host)) >= addresses;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, host + " listening on " + addresses + " addresses");
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  /**
   * The relay the link says it is attached to, once that is the one on {@code port}: the relay lists
   * the agent before the agent has taken the relay's welcome (and a slow attach may be given up and
   * tried again), so the link's own word is waited for.
   */
  private static String awaitAttached(RelayLink link, int port) throws InterruptedException {
    waitFor(() -> attachedNow(link).endsWith(":" + port), "the link attached to the relay on port " + port);
    return attachedNow(link);
  }

  private static String attachedNow(RelayLink link) {
    try {
      return get(link.attachedTo());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  private static ApiError failure(Future<?> future) throws Exception {
    try {
      get(future);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(ApiError.class);
      return (ApiError) e.getCause();
    }
    throw new AssertionError("expected a failure");
  }
}

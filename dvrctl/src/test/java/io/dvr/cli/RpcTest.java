package io.dvr.cli;

import static io.dvr.cli.Fixtures.NET1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dvr.proto.v1.GetNetworkRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.NetworkServiceGrpcService;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Rpc} against a stub gRPC server on loopback: the server's message must survive, and no
 * call may outlive its timeout. The id asked for picks the stub's behaviour.
 */
@Timeout(30)
class RpcTest {

  private static final String MISSING = "00000000-0000-4000-8000-000000000001";
  private static final String FAILS_LATE = "00000000-0000-4000-8000-000000000002";
  private static final String SILENT = "00000000-0000-4000-8000-000000000003";
  private static final String SPEC_SPELLED = "00000000-0000-4000-8000-000000000004";
  private static final String MESSAGE = "Network 00000000 could not be found (100% sure: naïve ✓)";

  private static Vertx vertx;
  private static HttpServer server;
  private static ServerAddress address;

  @BeforeAll
  static void startStub() throws Exception {
    vertx = Vertx.vertx();
    GrpcServer grpc = GrpcServer.server(vertx);
    grpc.callHandler(NetworkServiceGrpcService.GetNetwork, call -> call.last().onSuccess(req -> {
      var response = call.response();
      switch (req.getId()) {
        // Trailers-only: the status and message ride in the headers.
        case MISSING -> response.status(GrpcStatus.NOT_FOUND).statusMessage(MESSAGE).end();
        // Headers first, then trailers carry the status and message.
        case FAILS_LATE -> response.writeHead().onComplete(v ->
            response.status(GrpcStatus.FAILED_PRECONDITION).statusMessage(MESSAGE).end());
        case SILENT -> { }
        // As our servers spell it: only '%' and bytes outside 0x20-0x7E encoded, so '+' stays '+'.
        case SPEC_SPELLED -> {
          response.trailers().set("grpc-message", "id 'a+b': 100%25 na%C3%AFve");
          response.status(GrpcStatus.INVALID_ARGUMENT).end();
        }
        default -> response.end(Fixtures.net1().toBuilder().setId(req.getId()).build());
      }
    }));
    server = vertx.createHttpServer().requestHandler(grpc).listen(0)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    address = new ServerAddress("127.0.0.1", server.actualPort());
  }

  @AfterAll
  static void stopStub() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static GetNetworkRequest get(String id) {
    return GetNetworkRequest.newBuilder().setId(id).build();
  }

  @Test
  @DisplayName("a successful call returns the server's message")
  void success() {
    try (Rpc rpc = Rpc.open(address, Transport.PLAINTEXT, 5)) {
      Network network = rpc.call(NetworkServiceGrpcClient.GetNetwork, get(NET1));
      assertThat(network.getId()).isEqualTo(NET1);
      assertThat(network.getName()).isEqualTo("net1");
    }
  }

  @Test
  @DisplayName("a trailers-only error keeps the status and the server's message, decoded")
  void trailersOnlyError() {
    try (Rpc rpc = Rpc.open(address, Transport.PLAINTEXT, 5)) {
      CliError error = catchThrowableOfType(CliError.class,
          () -> rpc.call(NetworkServiceGrpcClient.GetNetwork, get(MISSING)));
      assertThat(error.status()).isEqualTo("NOT_FOUND");
      assertThat(error.getMessage()).isEqualTo(MESSAGE);
      assertThat(error.exitCode()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("an error sent after the headers keeps the message from the trailers")
  void errorInTrailers() {
    try (Rpc rpc = Rpc.open(address, Transport.PLAINTEXT, 5)) {
      CliError error = catchThrowableOfType(CliError.class,
          () -> rpc.call(NetworkServiceGrpcClient.GetNetwork, get(FAILS_LATE)));
      assertThat(error.status()).isEqualTo("FAILED_PRECONDITION");
      assertThat(error.getMessage()).isEqualTo(MESSAGE);
    }
  }

  @Test
  @DisplayName("a server that never answers costs the timeout, then exit 3 naming the server")
  void silentServer() {
    long start = System.nanoTime();
    try (Rpc rpc = Rpc.open(address, Transport.PLAINTEXT, 1)) {
      CliError error = catchThrowableOfType(CliError.class,
          () -> rpc.call(NetworkServiceGrpcClient.GetNetwork, get(SILENT)));
      assertThat(error.exitCode()).isEqualTo(3);
      assertThat(error.getMessage()).contains(address.toString()).contains("within 1 s");
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
  }

  @Test
  @DisplayName("nothing listening: exit 3 with the address")
  void refused() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ServerAddress nowhere = new ServerAddress("127.0.0.1", port);
    try (Rpc rpc = Rpc.open(nowhere, Transport.PLAINTEXT, 5)) {
      CliError error = catchThrowableOfType(CliError.class,
          () -> rpc.call(NetworkServiceGrpcClient.GetNetwork, get(NET1)));
      assertThat(error.exitCode()).isEqualTo(3);
      assertThat(error.render()).startsWith("Error: cannot reach the server at 127.0.0.1:" + port);
    }
  }

  @Test
  @DisplayName("the public run() shows the server's message on stderr and returns 1")
  void throughTheCli() {
    CliRun run = CliRun.run(Rpc::open, "--server", address.toString(), "--insecure", "net-show", MISSING);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("Error (NOT_FOUND): " + MESSAGE + "\n");
    assertThat(run.out()).isEmpty();
  }

  @Test
  @DisplayName("a message spelled as the gRPC spec says keeps its '+' (URL form decoding would make it a space)")
  void specSpelledMessage() {
    try (Rpc rpc = Rpc.open(address, Transport.PLAINTEXT, 5)) {
      CliError error = catchThrowableOfType(CliError.class,
          () -> rpc.call(NetworkServiceGrpcClient.GetNetwork, get(SPEC_SPELLED)));
      assertThat(error.status()).isEqualTo("INVALID_ARGUMENT");
      assertThat(error.getMessage()).isEqualTo("id 'a+b': 100% naïve");
    }
  }

  @Test
  @DisplayName("grpc-message percent-decoding handles UTF-8 sequences and leaves stray % alone")
  void percentDecode() {
    assertThat(Rpc.percentDecode("na%C3%AFve 100%25 %zz")).isEqualTo("naïve 100% %zz");
    assertThat(Rpc.percentDecode("plain")).isEqualTo("plain");
  }
}

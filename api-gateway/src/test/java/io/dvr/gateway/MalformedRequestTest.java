package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.gateway.RawGrpc.Answer;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-made gRPC frames against a real api-gateway: every malformed request gets a gRPC status
 * at once (never silence until the client's deadline, never a bare stream reset), and a unary
 * call carrying two messages changes nothing.
 */
@DisplayName("Malformed gRPC requests get a status at once and change nothing")
class MalformedRequestTest {
  private static final String CREATE_NETWORK = "dvr.v1.NetworkService/CreateNetwork";
  private static final String GET_NETWORK = "dvr.v1.NetworkService/GetNetwork";
  private static final String REFLECTION = "grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
  @TempDir static Path dataDir;
  static GatewayFixture gw;
  static RawGrpc raw;

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
    raw = new RawGrpc(gw.vertx, gw.port(), gw.adminToken);
  }

  @AfterAll
  static void stop() {
    raw.close();
    gw.close();
  }

  private static byte[] createNetwork(String name) {
    return CreateNetworkRequest.newBuilder().setName(name).build().toByteArray();
  }

  private static List<Network> networksNamed(String name) {
    return gw.call(NetworkServiceGrpcClient.ListNetworks, ListNetworksRequest.newBuilder().setName(name).build())
        .getNetworksList();
  }

  private static void assertStatus(Answer answer, GrpcStatus status, String... messageParts) {
    assertThat(answer.httpStatus()).isEqualTo(200);
    assertThat(answer.grpcStatus()).as("grpc-status, message %s", answer.rawMessage())
        .isEqualTo(String.valueOf(status.code));
    for (String part : messageParts) {
      assertThat(answer.rawMessage()).contains(part);
    }
  }

  @Test
  @DisplayName("a well-formed request by hand is served (the frames below differ only in what is wrong)")
  void wellFormed() {
    Answer answer = raw.call(CREATE_NETWORK, RawGrpc.frame(createNetwork("raw-ok")));
    assertStatus(answer, GrpcStatus.OK);
    assertThat(networksNamed("raw-ok")).hasSize(1);
  }

  @Test
  @DisplayName("an invalid protobuf wire type is INVALID_ARGUMENT naming the request type")
  void badWireType() {
    Answer answer = raw.call(CREATE_NETWORK, RawGrpc.frame(new byte[] {0x0F, 0x01}));
    assertStatus(answer, GrpcStatus.INVALID_ARGUMENT, "dvr.v1.CreateNetworkRequest", "wire type");
  }

  @Test
  @DisplayName("invalid UTF-8 in a string field is INVALID_ARGUMENT, not a stream reset")
  void invalidUtf8() {
    byte[] nameWithBadUtf8 = {0x0A, 0x02, (byte) 0xC3, 0x28};
    Answer answer = raw.call(CREATE_NETWORK, RawGrpc.frame(nameWithBadUtf8));
    assertStatus(answer, GrpcStatus.INVALID_ARGUMENT, "dvr.v1.CreateNetworkRequest", "UTF-8");
  }

  @Test
  @DisplayName("the compressed flag without a grpc-encoding header is INVALID_ARGUMENT")
  void compressedWithoutEncoding() {
    Answer answer = raw.call(CREATE_NETWORK, RawGrpc.frame(1, createNetwork("raw-flag")));
    assertStatus(answer, GrpcStatus.INVALID_ARGUMENT, "compressed", "grpc-encoding");
    assertThat(networksNamed("raw-flag")).isEmpty();
  }

  @Test
  @DisplayName("a compression the server does not support is UNIMPLEMENTED and names the ones it does")
  void unsupportedCompression() {
    Answer answer = raw.call(CREATE_NETWORK, Map.of("grpc-encoding", "snappy"),
        RawGrpc.frame(1, createNetwork("raw-snappy")));
    assertStatus(answer, GrpcStatus.UNIMPLEMENTED, "snappy");
    assertThat(answer.headers().get("grpc-accept-encoding")).contains("gzip");
    assertThat(networksNamed("raw-snappy")).isEmpty();
  }

  @Test
  @DisplayName("a gzip-compressed request is served")
  void gzipServed() throws IOException {
    Answer answer = raw.call(CREATE_NETWORK, Map.of("grpc-encoding", "gzip"),
        RawGrpc.frame(1, gzip(createNetwork("raw-gzip"))));
    assertStatus(answer, GrpcStatus.OK);
    assertThat(networksNamed("raw-gzip")).hasSize(1);
  }

  @Test
  @DisplayName("a message that is not gzip although the request says so is INTERNAL (the spec's status)")
  void corruptGzip() {
    Answer answer = raw.call(CREATE_NETWORK, Map.of("grpc-encoding", "gzip"),
        RawGrpc.frame(1, createNetwork("raw-not-gzip")));
    assertStatus(answer, GrpcStatus.INTERNAL, "gzip");
    assertThat(networksNamed("raw-not-gzip")).isEmpty();
  }

  @Test
  @DisplayName("a gzip message that inflates past the size limit is RESOURCE_EXHAUSTED naming the limit")
  void gzipBomb() throws IOException {
    byte[] huge = CreateNetworkRequest.newBuilder().setName("x".repeat(1 << 20)).build().toByteArray();
    Answer answer = raw.call(CREATE_NETWORK, Map.of("grpc-encoding", "gzip"), RawGrpc.frame(1, gzip(huge)));
    assertStatus(answer, GrpcStatus.RESOURCE_EXHAUSTED, "262144 bytes");
  }

  @Test
  @DisplayName("gRPC with JSON messages (application/grpc+json) is served, and JSON that is not the request type refused")
  void json() {
    Map<String, String> json = Map.of("content-type", "application/grpc+json");
    Answer served = raw.call(CREATE_NETWORK, json, RawGrpc.frame("{\"name\": \"raw-json\"}".getBytes()));
    assertStatus(served, GrpcStatus.OK);
    assertThat(networksNamed("raw-json")).hasSize(1);
    Answer refused = raw.call(CREATE_NETWORK, json, RawGrpc.frame("{\"colour\": 1}".getBytes()));
    assertStatus(refused, GrpcStatus.INVALID_ARGUMENT, "dvr.v1.CreateNetworkRequest", "colour");
  }

  @Test
  @DisplayName("an empty body (no message at all) is UNIMPLEMENTED, the spec's status for a cardinality violation")
  void emptyBody() {
    Answer answer = raw.call(CREATE_NETWORK, Buffer.buffer());
    assertStatus(answer, GrpcStatus.UNIMPLEMENTED, "exactly one request message", "none");
  }

  @Test
  @DisplayName("a message cut short of the length its header declares is INVALID_ARGUMENT")
  void truncatedMessage() {
    Buffer cut = RawGrpc.header(0, 10).appendBytes(new byte[] {0x0A, 0x01, 0x61});
    Answer answer = raw.call(CREATE_NETWORK, cut);
    assertStatus(answer, GrpcStatus.INVALID_ARGUMENT, "ends inside a message", "10 bytes");
  }

  @Test
  @DisplayName("a frame header cut short is INVALID_ARGUMENT")
  void truncatedHeader() {
    Answer answer = raw.call(CREATE_NETWORK, Buffer.buffer(new byte[] {0, 0, 0}));
    assertStatus(answer, GrpcStatus.INVALID_ARGUMENT, "ends inside a message header");
  }

  @Test
  @DisplayName("a complete message followed by a cut one is refused, and the first has no effect")
  void messageThenTruncated() {
    Buffer body = RawGrpc.frame(createNetwork("raw-then-cut")).appendBuffer(RawGrpc.header(0, 10));
    Answer answer = raw.call(CREATE_NETWORK, body);
    assertThat(answer.grpcStatus()).isNotEqualTo("0");
    assertThat(networksNamed("raw-then-cut")).isEmpty();
  }

  @Test
  @DisplayName("a header declaring 2^31-1 bytes is RESOURCE_EXHAUSTED naming the limit, while the client still sends")
  void declaredTooLarge() {
    Buffer body = RawGrpc.header(0, Integer.MAX_VALUE).appendBytes(createNetwork("raw-huge"));
    Answer answer = raw.callLeftOpen(CREATE_NETWORK, body);
    assertStatus(answer, GrpcStatus.RESOURCE_EXHAUSTED, "2147483647 bytes", "limit of 262144 bytes");
  }

  @Test
  @DisplayName("a unary call carrying two messages is UNIMPLEMENTED (cardinality) and creates nothing")
  void twoMessages() {
    Buffer body = RawGrpc.frame(createNetwork("raw-twice-a")).appendBuffer(RawGrpc.frame(createNetwork("raw-twice-b")));
    Answer answer = raw.call(CREATE_NETWORK, body);
    assertStatus(answer, GrpcStatus.UNIMPLEMENTED, "exactly one request message", "more than one");
    assertThat(networksNamed("raw-twice-a")).isEmpty();
    assertThat(networksNamed("raw-twice-b")).isEmpty();
  }

  @Test
  @DisplayName("two messages in two DATA frames are refused as well and create nothing")
  void twoMessagesInTwoDataFrames() {
    Answer answer = raw.callInChunks(CREATE_NETWORK,
        List.of(RawGrpc.frame(createNetwork("raw-split-a")), RawGrpc.frame(createNetwork("raw-split-b"))));
    assertStatus(answer, GrpcStatus.UNIMPLEMENTED, "exactly one request message");
    assertThat(networksNamed("raw-split-a")).isEmpty();
    assertThat(networksNamed("raw-split-b")).isEmpty();
  }

  @Test
  @DisplayName("one message split over many DATA frames is served")
  void oneMessageInPieces() {
    Buffer frame = RawGrpc.frame(createNetwork("raw-pieces"));
    List<Buffer> pieces = List.of(frame.slice(0, 2), frame.slice(2, 6), frame.slice(6, frame.length()));
    Answer answer = raw.callInChunks(CREATE_NETWORK, pieces);
    assertStatus(answer, GrpcStatus.OK);
    assertThat(networksNamed("raw-pieces")).hasSize(1);
  }

  @Test
  @DisplayName("every service of the endpoint is guarded: grpc.health.v1 Check with two messages")
  void healthGuardedToo() {
    byte[] check = HealthCheckRequest.newBuilder().setService("").build().toByteArray();
    Answer answer = raw.call("grpc.health.v1.Health/Check", RawGrpc.frame(check).appendBuffer(RawGrpc.frame(check)));
    assertStatus(answer, GrpcStatus.UNIMPLEMENTED, "exactly one request message");
  }

  @Test
  @DisplayName("gRPC-Web (HTTP/1.1): an invalid wire type gets INVALID_ARGUMENT, a well-formed request is served")
  void grpcWeb() throws Exception {
    io.vertx.core.http.HttpClient http = gw.vertx.createHttpClient(
        new io.vertx.core.http.HttpClientOptions(TestSecurity.user().client()).setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_1_1)
            .setUseAlpn(false));
    try {
      for (byte[] payload : List.of(new byte[] {0x0F, 0x01}, createNetwork("raw-web"))) {
        io.vertx.core.buffer.Buffer body = gw.vertx.timer(1).compose(t -> http.request(io.vertx.core.http.HttpMethod.POST,
                gw.port(), "127.0.0.1", "/" + CREATE_NETWORK))
            .compose(req -> req.putHeader("content-type", "application/grpc-web+proto").putHeader("x-grpc-web", "1")
                .putHeader("authorization", "Bearer " + gw.adminToken)
                .send(RawGrpc.frame(payload)).compose(resp -> resp.body().map(b -> {
                  String inHeaders = resp.getHeader("grpc-status");
                  return inHeaders != null ? io.vertx.core.buffer.Buffer.buffer("grpc-status:" + inHeaders) : b;
                })))
            .toCompletionStage().toCompletableFuture().get(RawGrpc.ANSWER_WITHIN_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        String text = body.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(text).contains(payload.length == 2 ? "grpc-status:3" : "grpc-status:0");
      }
      assertThat(networksNamed("raw-web")).hasSize(1);
    } finally {
      http.close();
    }
  }

  @Test
  @DisplayName("server reflection still answers a well-formed request (what grpcurl list sends)")
  void reflectionServed() {
    byte[] listServices = {0x3A, 0x00};
    Answer answer = raw.call(REFLECTION, RawGrpc.frame(listServices));
    assertStatus(answer, GrpcStatus.OK);
    assertThat(answer.body().toString(java.nio.charset.StandardCharsets.ISO_8859_1)).contains("dvr.v1.NetworkService");
  }

  @Test
  @DisplayName("a client-streaming service (server reflection) answers an invalid wire type with INVALID_ARGUMENT")
  void reflectionBadWireType() {
    Answer answer = raw.call(REFLECTION, RawGrpc.frame(new byte[] {0x0F, 0x01}));
    assertStatus(answer, GrpcStatus.INVALID_ARGUMENT, "wire type");
  }

  @Test
  @DisplayName("a client-streaming service answers a message cut short with INVALID_ARGUMENT")
  void reflectionTruncated() {
    Answer answer = raw.call(REFLECTION, RawGrpc.header(0, 10).appendBytes(new byte[] {0x3A, 0x00}));
    assertStatus(answer, GrpcStatus.INVALID_ARGUMENT);
  }

  @Test
  @DisplayName("a client-streaming service answers a header declaring 2^31-1 bytes with RESOURCE_EXHAUSTED")
  void reflectionDeclaredTooLarge() {
    Answer answer = raw.call(REFLECTION, RawGrpc.header(0, Integer.MAX_VALUE).appendBytes(new byte[16]));
    assertStatus(answer, GrpcStatus.RESOURCE_EXHAUSTED);
  }

  @Test
  @DisplayName("grpc-message percent-encodes only what the spec requires: non-printable bytes and '%'")
  void statusMessageEncoding() {
    byte[] get = io.dvr.proto.v1.GetNetworkRequest.newBuilder().setId("dvr-r1: 50%/é+x").build().toByteArray();
    Answer answer = raw.call(GET_NETWORK, RawGrpc.frame(get));
    assertStatus(answer, GrpcStatus.INVALID_ARGUMENT);
    assertThat(answer.rawMessage()).isEqualTo("id 'dvr-r1: 50%25/%C3%A9+x': not a valid UUID");
  }

  @Test
  @DisplayName("the Java client still reads such a message exactly, '+' and '%' included")
  void statusMessageReadBack() {
    var failure = gw.fail(NetworkServiceGrpcClient.GetNetwork,
        io.dvr.proto.v1.GetNetworkRequest.newBuilder().setId("dvr-r1: 50%/é+x").build());
    assertThat(failure.getMessage()).contains("id 'dvr-r1: 50%/é+x': not a valid UUID");
  }

  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    }
    return out.toByteArray();
  }
}

package io.dvr.bench;

import io.dvr.common.config.Settings;
import io.dvr.common.grpc.Unary;
import io.dvr.common.security.SecurityMaterial;
import io.dvr.gateway.ApiGateway;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.QuotaServiceGrpcClient;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import io.dvr.proto.v1.UpdateQuotaRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The same operations through the two faces of one api-gateway, in one run: port create and
 * network list over gRPC and over the Neutron REST face, both over TLS with the admin token, from
 * a client Vert.x of its own over loopback, closed loop ({@link ClosedLoop}) at a fixed number of
 * requests in flight. Options: {@code --clients N} (8), {@code --requests N} per measured phase
 * (2000), {@code --warmup N} (300), {@code --networks N} existing before the list phases (50).
 */
public final class RestVsGrpcBench {
  private static final long TIMEOUT_MS = 30_000;

  private RestVsGrpcBench() {}

  public static void main(String[] args) throws Exception {
    int clients = 8;
    int requests = 2000;
    int warmup = 300;
    int networks = 50;
    for (int i = 0; i + 1 < args.length; i += 2) {
      int value = Integer.parseInt(args[i + 1]);
      switch (args[i]) {
        case "--clients" -> clients = value;
        case "--requests" -> requests = value;
        case "--warmup" -> warmup = value;
        case "--networks" -> networks = value;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path tmp = Files.createTempDirectory("dvr-rest-bench-");
    Vertx serverVertx = Vertx.vertx();
    Vertx clientVertx = Vertx.vertx();
    ApiGateway gateway = null;
    try {
      BenchSecurity security = BenchSecurity.create(tmp.resolve("security"));
      Settings settings = BenchSecurity.with(Settings.of(Map.of("db.data-dir", tmp.resolve("pgdata").toString(),
          "api.host", "127.0.0.1", "api.port", "0", "rest.port", "0")), security);
      gateway = ApiGateway.start(serverVertx, settings).await();
      String token = Files.readString(gateway.adminTokenFile().orElseThrow()).trim();
      GrpcClient grpc = security.user().newClient(clientVertx);
      SocketAddress grpcAddress = SocketAddress.inetSocketAddress(gateway.port(), "127.0.0.1");
      HttpClient rest = clientVertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(true)
          .setTrustOptions(new PemTrustOptions().addCertPath(Path.of(security.dir(), SecurityMaterial.CA_CERT)
              .toString())).setKeepAlive(true).setDefaultHost("127.0.0.1").setDefaultPort(gateway.restPort()),
          new PoolOptions().setHttp1MaxSize(clients));

      Unary.call(grpc, grpcAddress, QuotaServiceGrpcClient.UpdateQuota, UpdateQuotaRequest.newBuilder()
          .setProjectId("admin").setNetwork(-1).setSubnet(-1).setPort(-1).build(), TIMEOUT_MS, token).await();
      String grpcNet = network(grpc, grpcAddress, token, "bench-grpc");
      String restNet = network(grpc, grpcAddress, token, "bench-rest");
      for (int n = 0; n < networks; n++) {
        Unary.call(grpc, grpcAddress, NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder()
            .setName("listed-" + n).build(), TIMEOUT_MS, token).await();
      }
      CreatePortRequest portRequest = CreatePortRequest.newBuilder().setNetworkId(grpcNet)
          .setDeviceOwner("compute:nova").setBindingHost("compute1").build();
      Buffer portBody = Buffer.buffer(new JsonObject().put("port", new JsonObject().put("network_id", restNet)
          .put("device_owner", "compute:nova").put("binding:host_id", "compute1")).encode());

      Context context = clientVertx.getOrCreateContext();
      record Phase(String operation, String face, java.util.function.IntFunction<Future<?>> request) {}
      List<Phase> phases = List.of(
          new Phase("port create", "gRPC", i -> Unary.call(grpc, grpcAddress, PortServiceGrpcClient.CreatePort,
              portRequest, TIMEOUT_MS, token)),
          new Phase("port create", "REST", i -> http(rest, HttpMethod.POST, "/v2.0/ports", portBody, token, 201)),
          new Phase("network list", "gRPC", i -> Unary.call(grpc, grpcAddress, NetworkServiceGrpcClient.ListNetworks,
              ListNetworksRequest.getDefaultInstance(), TIMEOUT_MS, token)),
          new Phase("network list", "REST", i -> http(rest, HttpMethod.GET, "/v2.0/networks", null, token, 200)));
      StringBuilder table = new StringBuilder();
      table.append("REST vs gRPC, ").append(Instant.now()).append(", ").append(Runtime.getRuntime()
          .availableProcessors()).append(" CPUs, in-process api-gateway (embedded PostgreSQL), TLS and tokens on both;")
          .append(" ").append(clients).append(" requests in flight, warm-up ").append(warmup).append(", ")
          .append(networks + 2).append(" networks listed\n\n")
          .append("| operation | face | requests | errors | requests/s | p50 (ms) | p99 (ms) | max (ms) |\n")
          .append("|---|---|---:|---:|---:|---:|---:|---:|\n");
      List<String> errors = new ArrayList<>();
      for (Phase phase : phases) {
        errors.addAll(ClosedLoop.run(context, clients, warmup, phase.request()).await().errors());
      }
      for (Phase phase : phases) {
        ClosedLoop.Outcome outcome = ClosedLoop.run(context, clients, requests, phase.request()).await();
        errors.addAll(outcome.errors());
        LatencyStats s = LatencyStats.of(clients, outcome);
        table.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.0f | %.2f | %.2f | %.2f |%n", phase.operation(),
            phase.face(), s.requests(), s.errors(), s.perSecond(), s.p50Ms(), s.p99Ms(), s.maxMs()));
      }
      System.out.println(table);
      if (!errors.isEmpty()) {
        System.err.println(errors.size() + " requests failed: " + errors.stream().distinct().limit(10).toList());
        System.exit(1);
      }
      rest.close().await();
      grpc.close().await();
    } finally {
      clientVertx.close().await();
      if (gateway != null) {
        gateway.stop().await();
      }
      serverVertx.close().await();
    }
  }

  private static String network(GrpcClient grpc, SocketAddress address, String token, String name) {
    Network network = Unary.call(grpc, address, NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest
        .newBuilder().setName(name).build(), TIMEOUT_MS, token).await();
    Unary.call(grpc, address, SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder()
        .setNetworkId(network.getId()).setCidr("10.0.0.0/16").build(), TIMEOUT_MS, token).await();
    return network.getId();
  }

  private static Future<Buffer> http(HttpClient client, HttpMethod method, String path, Buffer body, String token,
      int expected) {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(path).setTimeout(TIMEOUT_MS)
        .putHeader("X-Auth-Token", token).putHeader("Content-Type", "application/json");
    return client.request(options).compose(request -> body == null ? request.send() : request.send(body))
        .compose(response -> response.body().compose(b -> response.statusCode() == expected ? Future.succeededFuture(b)
            : Future.failedFuture(new IllegalStateException(method + " " + path + ": " + response.statusCode() + " "
                + b))));
  }
}

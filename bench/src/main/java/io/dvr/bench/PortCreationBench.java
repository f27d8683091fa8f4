package io.dvr.bench;

import io.dvr.common.config.Settings;
import io.dvr.common.security.GrpcTls;
import io.dvr.common.grpc.Unary;
import io.dvr.gateway.ApiGateway;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.QuotaServiceGrpcClient;
import io.dvr.proto.v1.UpdateQuotaRequest;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.sqlclient.Row;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Throughput and latency of CreatePort over gRPC against an api-gateway whose PostgreSQL commits
 * durably. Unless {@code --target} names a running server, it starts one in this JVM on an
 * embedded PostgreSQL (fsync and synchronous_commit on) in a fresh temporary directory; the client
 * always runs in its own Vert.x instance and reaches the server over a loopback socket.
 */
public final class PortCreationBench {
  private static final long TIMEOUT_MS = 30_000;
  /** Usable host addresses of the /16 the ports draw from, less its gateway. */
  private static final int SUBNET_CAPACITY = 65_533;

  record Options(List<Integer> clients, int ports, int singleClientPorts, int warmup, int networks, String target,
      Path out, boolean insecure, Path ca, int jitWarmup) {
    static Options parse(String[] args) {
      List<Integer> clients = List.of(1, 8, 64);
      int ports = 2000;
      int single = 500;
      int warmup = 200;
      int networks = 1;
      String target = null;
      Path out = null;
      boolean insecure = false;
      Path ca = null;
      int jitWarmup = 0;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--insecure")) {
          insecure = true;
          continue;
        }
        if (a.equals("--help") || a.equals("-h")) {
          System.out.println("""
              usage: PortCreationBench [--clients 1,8,64] [--ports 2000] [--single-client-ports 500]
                                       [--warmup 200] [--networks 1] [--target host:port] [--out FILE]
                                       [--insecure] [--ca FILE] [--jit-warmup N]
              --networks K spreads the ports round-robin over K networks (one /16 subnet each).
              TLS by default (the in-process server with its own CA; --target: trusting --ca, by default
              ~/.dvr/security/ca.pem); --insecure: plaintext and no agent checks, to measure their cost.
              --jit-warmup N creates N ports with 64 clients on a network of their own before the first level,
              so the levels measure compiled code rather than the JVM's just-in-time compiler at work.""");
          System.exit(0);
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value after " + a);
        }
        String v = args[++i];
        switch (a) {
          case "--clients" -> clients = Arrays.stream(v.split(",")).map(String::trim).map(Integer::valueOf).toList();
          case "--ports" -> ports = Integer.parseInt(v);
          case "--single-client-ports" -> single = Integer.parseInt(v);
          case "--warmup" -> warmup = Integer.parseInt(v);
          case "--networks" -> networks = Integer.parseInt(v);
          case "--target" -> target = v;
          case "--out" -> out = Path.of(v);
          case "--ca" -> ca = Path.of(v);
          case "--jit-warmup" -> jitWarmup = Integer.parseInt(v);
          default -> throw new IllegalArgumentException("unknown option " + a + " (try --help)");
        }
      }
      if (jitWarmup > SUBNET_CAPACITY) {
        throw new IllegalArgumentException("--jit-warmup " + jitWarmup + " would exhaust its /16 subnet");
      }
      return new Options(clients, ports, single, warmup, networks, target, out, insecure, ca, jitWarmup);
    }

    int measured(int level) {
      return level == 1 ? singleClientPorts : ports;
    }
  }

  /** The bearer token of the runs: the in-process gateway's admin token, else DVRCTL_TOKEN. */
  private static String token;

  private PortCreationBench() {}

  private static String read(java.nio.file.Path file) {
    try {
      return Files.readString(file).trim();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    int needed = o.clients().stream().mapToInt(c -> o.warmup() + o.measured(c)).max().orElse(0);
    if (needed > SUBNET_CAPACITY) {
      throw new IllegalArgumentException(needed + " ports would exhaust a level's /16 subnet");
    }
    Path tmp = null;
    Vertx serverVertx = null;
    ApiGateway gateway = null;
    Vertx clientVertx = Vertx.vertx();
    GrpcClient client = null;
    List<String> allErrors = new ArrayList<>();
    try {
      SocketAddress address;
      String serverNote;
      if (o.target() == null) {
        tmp = Files.createTempDirectory("dvr-bench-");
        serverVertx = Vertx.vertx();
        Settings server = Settings.of(Map.of(
            "db.data-dir", tmp.resolve("pgdata").toString(), "api.host", "127.0.0.1", "api.port", "0",
            "rest.port", "0"));
        if (o.insecure()) {
          server = server.with("insecure", "true");
          client = GrpcTls.off().newClient(clientVertx);
        } else {
          BenchSecurity security = BenchSecurity.create(tmp.resolve("security"));
          server = BenchSecurity.with(server, security);
          client = security.user().newClient(clientVertx);
        }
        // The gateway's own embedded PostgreSQL, which commits durably (read back below).
        gateway = ApiGateway.start(serverVertx, server).await();
        address = SocketAddress.inetSocketAddress(gateway.port(), "127.0.0.1");
        token = gateway.adminTokenFile().map(PortCreationBench::read).orElse(null);
        serverNote = "in-process api-gateway on 127.0.0.1:" + gateway.port() + ", " + durability(gateway)
            + (o.insecure() ? ", insecure (plaintext, no tokens)" : ", TLS and tokens");
      } else {
        int colon = o.target().lastIndexOf(':');
        if (colon < 0) {
          throw new IllegalArgumentException("--target takes host:port, not " + o.target());
        }
        address = SocketAddress.inetSocketAddress(Integer.parseInt(o.target().substring(colon + 1)),
            o.target().substring(0, colon));
        serverNote = "external api-gateway at " + o.target() + " (its durability settings are not checked)";
        client = (o.insecure() ? GrpcTls.off() : GrpcTls.trusting(o.ca() != null ? o.ca()
            : Path.of(System.getProperty("user.home"), ".dvr", "security", "ca.pem"))).newClient(clientVertx);
        token = System.getenv("DVRCTL_TOKEN");
      }
      System.out.println("server: " + serverNote);
      GrpcClient calls = client;
      // The runs create more ports and networks than a project's default quotas allow.
      Unary.call(client, address, QuotaServiceGrpcClient.UpdateQuota, UpdateQuotaRequest.newBuilder()
          .setProjectId("admin").setNetwork(-1).setSubnet(-1).setPort(-1).build(), TIMEOUT_MS, token).await();

      Context context = clientVertx.getOrCreateContext();
      if (o.jitWarmup() > 0) {
        // Until the hot paths are compiled, the compiler threads take as much CPU as the requests.
        CreatePortRequest warmRequest = CreatePortRequest.newBuilder().setNetworkId(setUp(calls, address, 0))
            .setDeviceOwner("compute:nova").setBindingHost("compute1").build();
        ClosedLoop.Outcome jit = ClosedLoop.run(context, 64, o.jitWarmup(), i -> createPort(calls, address, warmRequest))
            .await();
        allErrors.addAll(jit.errors());
        System.out.printf("JIT warm-up: %d ports with 64 clients in %.1f s%n", o.jitWarmup(), jit.wallNanos() / 1e9);
      }
      List<LatencyStats> results = new ArrayList<>();
      List<String> cpuShares = new ArrayList<>();
      for (int level : o.clients()) {
        // Fresh networks per level, so every level starts on empty subnets: the next-free-address
        // query grows with a subnet's allocations and would otherwise penalise the later levels.
        List<CreatePortRequest> requests = new ArrayList<>();
        for (int n = 0; n < o.networks(); n++) {
          requests.add(CreatePortRequest.newBuilder().setNetworkId(setUp(calls, address, level))
              .setDeviceOwner("compute:nova").setBindingHost("compute1").build());
        }
        ClosedLoop.Outcome warm = ClosedLoop.run(context, level, o.warmup(),
            i -> createPort(calls, address, requests.get(i % requests.size()))).await();
        allErrors.addAll(warm.errors());
        CpuShare cpu = new CpuShare("dvr-bench-");
        ClosedLoop.Outcome measured = ClosedLoop.run(context, level, o.measured(level),
            i -> createPort(calls, address, requests.get(i % requests.size()))).await();
        cpuShares.add("clients=" + level + ": " + cpu.since());
        allErrors.addAll(measured.errors());
        LatencyStats stats = LatencyStats.of(level, measured);
        results.add(stats);
        System.out.printf("clients=%d: %d ports in %.1f s, %d errors (warm-up: %d errors)%n", level,
            stats.requests(), measured.wallNanos() / 1e9, stats.errors(), warm.errors().size());
      }

      String table = report(o, serverNote, results) + "\nCPU of the machine during each measured phase (this JVM is"
          + " client and gateway): " + String.join("; ", cpuShares) + "\n";
      System.out.println();
      System.out.println(table);
      if (o.out() != null) {
        Files.writeString(o.out(), table + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
      if (!allErrors.isEmpty()) {
        System.err.println(allErrors.size() + " requests failed; distinct errors:");
        allErrors.stream().distinct().limit(20).forEach(e -> System.err.println("  " + e));
      }
    } finally {
      if (client != null) {
        client.close().await();
      }
      clientVertx.close().await();
      if (gateway != null) {
        gateway.stop().await();
      }
      if (serverVertx != null) {
        serverVertx.close().await();
      }
      deleteTree(tmp);
    }
    if (!allErrors.isEmpty()) {
      System.exit(1); // a run with failed requests is not a valid measurement
    }
  }

  /** A network with one /16 subnet, so that auto-allocated addresses never run out. */
  private static String setUp(GrpcClient client, SocketAddress address, int level) {
    String name = "bench-" + Instant.now().toEpochMilli() + "-c" + level;
    Network network = Unary.call(client, address, NetworkServiceGrpcClient.CreateNetwork,
        CreateNetworkRequest.newBuilder().setName(name).build(), TIMEOUT_MS, token).await();
    Unary.call(client, address, SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder()
        .setNetworkId(network.getId()).setName(name).setCidr("10.0.0.0/16").build(), TIMEOUT_MS, token).await();
    return network.getId();
  }

  /** One CreatePort; a reply without exactly one address counts as an error. */
  private static Future<Port> createPort(GrpcClient client, SocketAddress address, CreatePortRequest request) {
    return Unary.call(client, address, PortServiceGrpcClient.CreatePort, request, TIMEOUT_MS, token)
        .compose(port -> port.getFixedIpsCount() == 1 ? Future.succeededFuture(port)
            : Future.failedFuture(new IllegalStateException("port " + port.getId() + " has "
                + port.getFixedIpsCount() + " fixed IPs")));
  }

  /** What the embedded PostgreSQL actually runs with, read back rather than assumed. */
  private static String durability(ApiGateway gateway) {
    Row row = gateway.database().pool().query("SELECT current_setting('server_version') AS v,"
        + " current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc,"
        + " current_setting('wal_sync_method') AS wsm").execute().await().iterator().next();
    return "PostgreSQL " + row.getString("v") + " (fsync=" + row.getString("fsync") + ", synchronous_commit="
        + row.getString("sc") + ", wal_sync_method=" + row.getString("wsm") + ")";
  }

  private static String report(Options o, String serverNote, List<LatencyStats> results) {
    StringBuilder sb = new StringBuilder();
    sb.append("CreatePort over gRPC, ").append(Instant.now()).append(", ")
        .append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ").append(serverNote)
        .append(o.jitWarmup() > 0 ? "; JIT warm-up " + o.jitWarmup() + " ports at 64 clients first" : "")
        .append("; warm-up ").append(o.warmup()).append(" ports per level; each level on ").append(o.networks())
        .append(o.networks() == 1 ? " fresh network" : " fresh networks").append(" with a /16 subnet\n\n");
    sb.append(LatencyStats.HEADER).append('\n');
    results.forEach(r -> sb.append(r.row()).append('\n'));
    return sb.toString();
  }

  private static void deleteTree(Path root) throws IOException {
    if (root == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

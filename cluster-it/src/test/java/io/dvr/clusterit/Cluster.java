package io.dvr.clusterit;

import io.dvr.common.cluster.TestCertificates;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.TestSecurity;
import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.GetHostStateRequest;
import io.dvr.proto.v1.ListAgentsRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A control plane of separate processes: PostgreSQL, api-gateway, two each of scheduler-svc,
 * mac-allocator-svc and arp-svc, and host-agent JVMs started on demand; all on one Hazelcast
 * cluster of their own (TCP-IP member list, a name unique to the test). relay-svc JVMs join it on
 * demand too, and single agents attached through them stay out of it ({@link #startRelayedAgent}). Logs go to
 * target/cluster-logs/&lt;test&gt;/&lt;process&gt;.log.
 */
final class Cluster implements AutoCloseable {
  static final Path LOGS = Path.of(System.getProperty("clusterit.logs", "target/cluster-logs"));
  /** The clusters of the running test, for the log tails printed when it fails. */
  static final List<Cluster> OPEN = new CopyOnWriteArrayList<>();
  /** Scaled services: process name prefix, main class, the DVR_ variable of its gRPC port. */
  private static final String[][] SCALED = {
      {"scheduler", "io.dvr.scheduler.Main", "DVR_SCHEDULER_PORT"},
      {"mac-allocator", "io.dvr.macalloc.Main", "DVR_MAC_ALLOCATOR_PORT"},
      {"arp", "io.dvr.arp.Main", "DVR_ARP_PORT"}};
  private static final Pattern MEMBERS = Pattern.compile("Members \\{size:(\\d+), ver:\\d+}");
  private static final Duration START_DEADLINE = Duration.ofSeconds(120);
  private static final Duration STUCK_AFTER = Duration.ofSeconds(60);
  private static TestCertificates pki;

  /** The run's event-bus CA and member certificates (made once per test JVM, under the logs). */
  static synchronized TestCertificates pki() {
    if (pki == null) {
      pki = TestCertificates.create(LOGS.resolve("pki-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis()),
          "cluster-it-ca");
    }
    return pki;
  }

  /** Where port picking starts: random, so that two test runs on one machine rarely meet. */
  private static final AtomicInteger NEXT_PORT = new AtomicInteger(20000 + new Random().nextInt(10000));

  final String name;
  final Path dir;
  final PostgresServer postgres;
  final Rpc rpc = new Rpc();
  private final Map<String, String> extraEnv;
  private final List<Integer> hazelcastPorts = new ArrayList<>();
  private final Map<String, JvmProcess> processes = new LinkedHashMap<>();
  private final Map<String, Integer> clusterPortOf = new HashMap<>();
  private final Map<String, Supplier<JvmProcess>> relaunch = new HashMap<>();
  /** The hosts of each agents JVM, to wait for them again after a restart. */
  private final Map<String, List<String>> hostsOf = new HashMap<>();
  private final int apiPort;
  ApiClient api;

  private Cluster(String name, Path dir, PostgresServer postgres, Map<String, String> extraEnv, int members) {
    this.name = name;
    this.dir = dir;
    this.postgres = postgres;
    this.extraEnv = extraEnv;
    for (int i = 0; i < members; i++) {
      hazelcastPorts.add(freePort());
    }
    this.apiPort = freePort();
  }

  /**
   * Starts PostgreSQL and the services; {@code agentJvms} reserves cluster ports for that many
   * later {@link #startAgents} calls (every member is listed in everyone's DVR_CLUSTER_MEMBERS).
   */
  static Cluster start(String test, int agentJvms, Map<String, String> extraEnv) {
    return start(test, agentJvms, extraEnv, 2);
  }

  /** As {@link #start(String, int, Map)}, with {@code instances} of each scaled service (ScaleOutBench: 1 or 2). */
  static Cluster start(String test, int agentJvms, Map<String, String> extraEnv, int instances) {
    Path dir = LOGS.resolve(test + "-" + System.currentTimeMillis());
    PostgresServer pg = PostgresServer.start(dir, LOGS.resolve("pg-bin"), freePort());
    int members = 1 + SCALED.length * instances;
    Cluster cluster = new Cluster("it-" + test + "-" + System.nanoTime(), dir, pg, extraEnv, members + agentJvms);
    OPEN.add(cluster);
    try {
      // The gateway first: it applies the migrations and is the member the others join, so that
      // no two members starting at the same instant found two clusters.
      JvmProcess gateway = cluster.launch("api-gateway", "io.dvr.gateway.Main", "256m",
          Map.of("DVR_API_PORT", String.valueOf(cluster.apiPort), "DVR_REST_PORT", "0"), cluster.apiPort);
      cluster.awaitServing(List.of(gateway));
      List<JvmProcess> services = new ArrayList<>();
      for (String[] svc : SCALED) {
        for (int i = 1; i <= instances; i++) {
          int port = freePort();
          services.add(cluster.launch(svc[0] + "-" + i, svc[1], "256m", Map.of(svc[2], String.valueOf(port)), port));
        }
      }
      cluster.awaitServing(services);
      cluster.awaitMembers(members);
      // The test speaks to the API as its admin, with the token api-gateway wrote on first start.
      cluster.api = cluster.rpc.api(cluster.apiPort, ApiClient.adminTokenIn(cluster.securityDir()));
      cluster.recordStartupTimes();
      return cluster;
    } catch (RuntimeException | Error e) {
      System.out.println("##### cluster " + cluster.name + " did not start; logs in " + dir + cluster.tails(40));
      cluster.close();
      throw e;
    }
  }

  /**
   * The keys, certificates and tokens every process of the cluster reads (the tests' CA, the
   * api-gateway's signing key and admin token): one directory for the test run.
   */
  Path securityDir() {
    return TestSecurity.dir();
  }

  private synchronized JvmProcess launch(String process, String mainClass, String heap, Map<String, String> env,
      int port) {
    return launch(process, mainClass, env, port,
        () -> JvmProcess.start(process, mainClass, heap, environment(process, env), port, dir,
            ClassDataSharing.flags(postgres)));
  }

  /**
   * One host agent in a JVM of its own, as host-agent-svc runs ({@code io.dvr.agent.Main}: a lite
   * member of the cluster, on the memory driver), started with exactly {@code jvmFlags}; for
   * measuring what an agent costs (AgentFootprintBench). {@code process} must be one of the
   * {@code agentJvms} reserved at start.
   */
  JvmProcess startAgentProcess(String process, String host, List<String> jvmFlags, Map<String, String> env) {
    TestSecurity.agent(host);
    Map<String, String> all = new HashMap<>(Map.of("DVR_HOST_NAME", host, "DVR_AGENT_MODE", "dvr",
        "DVR_AGENT_DATAPLANE", "memory", "DVR_CLUSTER_LITE_MEMBER", "true", "DVR_HOST_AGENT_PORT", "0",
        "DVR_API_ADDRESS", "127.0.0.1:" + apiPort));
    all.putAll(env);
    return launch(process, "io.dvr.agent.Main", all, 0,
        () -> JvmProcess.startWith(process, "io.dvr.agent.Main", jvmFlags, environment(process, all), 0, dir));
  }

  /**
   * Starts relay-svc as {@code process} (a cluster member in one of the {@code agentJvms} slots
   * reserved at start, with its own gRPC port kept across {@link #restart}) and waits until it serves.
   */
  JvmProcess startRelay(String process) {
    int port = freePort();
    JvmProcess relay = launch(process, "io.dvr.relay.Main", "256m",
        Map.of("DVR_RELAY_PORT", String.valueOf(port), "DVR_RELAY_NAME", process), port);
    awaitServing(List.of(relay));
    recordStartupTimes();
    return relay;
  }

  /**
   * One host agent in a JVM of its own ({@code io.dvr.agent.Main}, memory driver), attached to the
   * relays at {@code relayPorts} (DVR_AGENT_RELAYS, tried in that order) instead of joining the
   * cluster: it holds no cluster port. It is told the cluster's name and members as a member would
   * be, so that only {@code agent.relays} keeps it out. Its certificate and credential are the
   * host's, issued here; {@code env} comes last (a test's own keystore). Waits until the host is
   * registered, has its DVR MAC and answers GetHostState through the API (api-gateway, bus, relay,
   * agent), as {@link #startAgents} does.
   */
  JvmProcess startRelayedAgent(String host, String mode, List<Integer> relayPorts, Map<String, String> env,
      Duration atMost) {
    JvmProcess agent = launchRelayed(host, mode, relayPorts, env);
    hostsOf.put(agent.name, List.of(host));
    awaitAgents(List.of(host), agent, atMost);
    agent.markReady();
    recordStartupTimes();
    return agent;
  }

  /** As {@link #startRelayedAgent}, without waiting for anything (an agent expected to be refused). */
  synchronized JvmProcess launchRelayed(String host, String mode, List<Integer> relayPorts, Map<String, String> env) {
    TestSecurity.agent(host);
    String process = "agent-" + host;
    Map<String, String> all = new HashMap<>();
    all.put("DVR_CLUSTER_ENABLED", "true");
    all.put("DVR_CLUSTER_MEMBERS", hazelcastPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    all.put("DVR_CLUSTER_NAME", name);
    all.put("DVR_SECURITY_DIR", securityDir().toString());
    all.put("DVR_HOST_NAME", host);
    all.put("DVR_AGENT_MODE", mode);
    all.put("DVR_AGENT_DATAPLANE", "memory");
    all.put("DVR_HOST_AGENT_PORT", "0");
    all.put("DVR_API_ADDRESS", "127.0.0.1:" + apiPort);
    all.put("DVR_AGENT_RELAYS", relayPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    all.putAll(extraEnv);
    all.putAll(env);
    Supplier<JvmProcess> starter = () -> {
      JvmProcess started = JvmProcess.start(process, "io.dvr.agent.Main", "128m", all, 0, dir,
          ClassDataSharing.flags(postgres));
      synchronized (this) {
        processes.put(process, started);
      }
      return started;
    };
    relaunch.put(process, starter);
    return starter.get();
  }

  /** The cluster port given to this process (its Hazelcast member's). */
  synchronized int clusterPort(String process) {
    return clusterPortOf.get(process);
  }

  /** Every Hazelcast port of the cluster's members. */
  List<Integer> clusterPorts() {
    return List.copyOf(hazelcastPorts);
  }

  private synchronized JvmProcess launch(String process, String mainClass, Map<String, String> env, int port,
      Supplier<JvmProcess> starter) {
    if (!clusterPortOf.containsKey(process)) {
      if (clusterPortOf.size() >= hazelcastPorts.size()) {
        throw new IllegalStateException("no cluster port reserved for " + process);
      }
      clusterPortOf.put(process, hazelcastPorts.get(clusterPortOf.size()));
    }
    JvmProcess p = starter.get();
    processes.put(process, p);
    relaunch.put(process, () -> launch(process, mainClass, env, port, starter));
    return p;
  }

  /** What every process of the cluster is started with, then {@code env}. */
  private Map<String, String> environment(String process, Map<String, String> env) {
    Map<String, String> all = new HashMap<>();
    all.put("DVR_DB_URL", postgres.url());
    all.put("DVR_CLUSTER_ENABLED", "true");
    all.put("DVR_CLUSTER_HOST", "127.0.0.1");
    all.put("DVR_CLUSTER_PORT", String.valueOf(clusterPortOf.get(process)));
    all.put("DVR_CLUSTER_MEMBERS", hazelcastPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    all.put("DVR_CLUSTER_NAME", name);
    // Each service shows its own certificate of the run's CA on the event bus, as deployed.
    all.putAll(pki().env(process));
    // The tests' CA and key stores: every process serves and calls gRPC with TLS, as deployed.
    all.put("DVR_SECURITY_DIR", securityDir().toString());
    all.putAll(extraEnv);
    all.putAll(env);
    return all;
  }

  /**
   * Starts one JVM of host agents {@code prefix}1..{@code prefix}{@code count} (the first
   * {@code snat} dvr_snat) and waits until each is registered, has its DVR MAC and answers
   * GetHostState through the API (a round trip over the event bus).
   */
  JvmProcess startAgents(String prefix, int count, int snat, Duration atMost) {
    hosts(prefix, count).forEach(TestSecurity::agent); // each host's key store and credential, issued once
    JvmProcess agents = launch("agents-" + prefix, AgentsMain.class.getName(), "384m", Map.of(
        "DVR_AGENTS_PREFIX", prefix, "DVR_AGENTS_COUNT", String.valueOf(count),
        "DVR_AGENTS_SNAT_COUNT", String.valueOf(snat), "DVR_API_ADDRESS", "127.0.0.1:" + apiPort,
        "DVR_AGENT_DATAPLANE", "memory"), 0);
    hostsOf.put(agents.name, hosts(prefix, count));
    awaitAgents(hosts(prefix, count), agents, atMost);
    agents.markReady();
    recordStartupTimes();
    return agents;
  }

  /**
   * Starts a process that was killed once more, with its own name, ports and settings, and waits
   * until it serves again (an agents JVM: until each of its hosts is ready, as at first start).
   */
  JvmProcess restart(String process, Duration atMost) {
    JvmProcess dead = process(process);
    if (dead.alive()) {
      throw new IllegalStateException(dead + " is still running");
    }
    JvmProcess again = relaunch.get(process).get();
    List<String> hosts = hostsOf.get(process);
    if (hosts != null) {
      awaitAgents(hosts, again, atMost);
      again.markReady();
    } else {
      awaitServing(List.of(again));
    }
    return again;
  }

  static List<String> hosts(String prefix, int count) {
    List<String> hosts = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      hosts.add(prefix + i);
    }
    return hosts;
  }

  private void awaitAgents(List<String> hosts, JvmProcess jvm, Duration atMost) {
    Set<String> pending = new LinkedHashSet<>(hosts);
    Deadline deadline = new Deadline(atMost, () -> "agents not ready: " + pending + "\n" + jvm.tail(30));
    while (!pending.isEmpty()) {
      deadline.check(jvm);
      Set<String> alive = api.call(AgentServiceGrpcClient.ListAgents, ListAgentsRequest.getDefaultInstance())
          .getAgentsList().stream().filter(Agent::getAlive).map(Agent::getHost).collect(Collectors.toSet());
      Set<String> withMac = new TreeSet<>();
      postgres.rows("SELECT host FROM dvr_host_macs").forEach(r -> withMac.add(r.get(0)));
      for (String host : List.copyOf(pending)) {
        if (alive.contains(host) && withMac.contains(host) && answers(host)) {
          pending.remove(host);
        }
      }
      deadline.pause();
    }
  }

  private boolean answers(String host) {
    try {
      api.call(AgentServiceGrpcClient.GetHostState, GetHostStateRequest.newBuilder().setHost(host).build());
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Polls grpc.health.v1 on each port until SERVING; fails at once when a process dies. A process
   * still not serving after {@link #STUCK_AFTER} gets its threads dumped next to its log, is
   * killed and started once more, loudly: such a hang is a finding of its own (see README), not
   * what the tests are about.
   */
  void awaitServing(Collection<JvmProcess> started) {
    List<JvmProcess> stuck = awaitServing(started, STUCK_AFTER, false);
    if (!stuck.isEmpty()) {
      List<JvmProcess> again = new ArrayList<>();
      for (JvmProcess p : stuck) {
        Path dump = p.dumpThreads();
        System.out.println("##### " + p + " not serving after " + STUCK_AFTER.toSeconds() + " s; threads in " + dump
            + "; last lines:\n" + p.tail(15) + "\n##### killing it and starting it once more");
        p.kill9();
        again.add(relaunch.get(p.name).get());
      }
      awaitServing(again, START_DEADLINE, true);
    }
  }

  private List<JvmProcess> awaitServing(Collection<JvmProcess> started, Duration atMost, boolean mustServe) {
    Set<JvmProcess> pending = new LinkedHashSet<>(started);
    Deadline deadline = new Deadline(atMost, () -> "not serving: " + pending);
    long end = System.nanoTime() + atMost.toNanos();
    while (!pending.isEmpty()) {
      for (JvmProcess p : List.copyOf(pending)) {
        if (rpc.serving(p.port)) {
          p.markReady();
          pending.remove(p);
        } else if (mustServe || !p.alive()) {
          deadline.check(p);
        }
      }
      if (!mustServe && System.nanoTime() > end) {
        return List.copyOf(pending);
      }
      deadline.pause();
    }
    return List.of();
  }

  /** Waits until api-gateway's Hazelcast member list has {@code n} members (all in one cluster). */
  void awaitMembers(int n) {
    JvmProcess gateway = process("api-gateway");
    Deadline deadline = new Deadline(START_DEADLINE, () -> "api-gateway sees " + members() + " members, not " + n);
    while (members() != n) {
      deadline.check(gateway);
      deadline.pause();
    }
  }

  /** The size of the last member list api-gateway logged. */
  int members() {
    Matcher m = MEMBERS.matcher(process("api-gateway").log());
    int size = 0;
    while (m.find()) {
      size = Integer.parseInt(m.group(1));
    }
    return size;
  }

  synchronized JvmProcess process(String process) {
    JvmProcess p = processes.get(process);
    if (p == null) {
      throw new IllegalArgumentException("no process " + process + " in " + processes.keySet());
    }
    return p;
  }

  synchronized List<JvmProcess> processes() {
    return List.copyOf(processes.values());
  }

  int apiPort() {
    return apiPort;
  }

  private void recordStartupTimes() {
    StringBuilder out = new StringBuilder();
    processes().stream().filter(p -> p.startup() != null)
        .forEach(p -> out.append(String.format("%-22s ready after %5d ms%n", p.name, p.startup().toMillis())));
    try {
      Files.writeString(dir.resolve("startup-times.txt"), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The last lines of every log of this cluster, for a failed test. */
  String tails(int lines) {
    StringBuilder out = new StringBuilder();
    for (JvmProcess p : processes()) {
      out.append("\n===== ").append(p).append(p.alive() ? "" : " [exited]").append(", last ").append(lines)
          .append(" lines of ").append(p.log).append('\n').append(p.tail(lines)).append('\n');
    }
    Path pgLog = dir.resolve("postgres.log");
    try {
      List<String> pg = Files.exists(pgLog) ? Files.readAllLines(pgLog) : List.of();
      out.append("\n===== postgres, ").append(pgLog).append('\n')
          .append(String.join("\n", pg.subList(Math.max(0, pg.size() - lines), pg.size()))).append('\n');
    } catch (IOException e) {
      out.append("(postgres log unreadable: ").append(e).append(")\n");
    }
    return out.toString();
  }

  /**
   * A port nobody listens on, below the kernel's ephemeral range (32768 and up here): ports picked
   * there are soon taken by the many outgoing connections and port-0 listeners of the cluster.
   */
  static synchronized int freePort() {
    for (int tries = 0; tries < 2000; tries++) {
      int port = NEXT_PORT.getAndIncrement();
      if (port >= 32000) {
        NEXT_PORT.set(20000);
        continue;
      }
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(port));
        return port;
      } catch (IOException taken) {
        // in use: try the next one
      }
    }
    throw new IllegalStateException("no free port in 20000-31999");
  }

  /** Stops agents first, then the services (in parallel), then PostgreSQL. */
  @Override
  public void close() {
    List<JvmProcess> all = processes();
    all.stream().filter(p -> p.name.startsWith("agents-") || p.name.startsWith("agent-")).forEach(JvmProcess::stop);
    List<Thread> stopping = all.stream().map(p -> new Thread(p::stop, "stop " + p.name)).toList();
    stopping.forEach(Thread::start);
    for (Thread t : stopping) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    postgres.close();
    rpc.close();
    OPEN.remove(this);
  }
}

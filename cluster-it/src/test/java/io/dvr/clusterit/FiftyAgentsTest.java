package io.dvr.clusterit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.ListDvrMacsRequest;
import io.dvr.proto.v1.MacAllocatorServiceGrpcClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fifty hosts boot at once (one agents JVM, a lite member) against two mac-allocator-svc
 * processes: each gets one DVR MAC, unique, and both allocators took part. The database's
 * primary key (host) and unique MAC decide, not the allocators' timing.
 */
@ExtendWith(LogTailsOnFailure.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Fifty host agents starting at once against two MAC allocators")
class FiftyAgentsTest {
  private static final int HOSTS = 50;
  private static final Pattern DVR_MAC = Pattern.compile("fa:16:3f(:[0-9a-f]{2}){3}");
  static Cluster cluster;

  @BeforeAll
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  static void start() {
    cluster = Cluster.start("fifty-agents", 1, Map.of());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("50 hosts get 50 distinct DVR MACs under fa:16:3f, listed alike by either allocator")
  void fiftyDistinctMacs() {
    cluster.startAgents("m", HOSTS, 0, Duration.ofSeconds(90));
    List<DvrHostMac> first = macs("mac-allocator-1");
    List<DvrHostMac> second = macs("mac-allocator-2");

    assertThat(first).extracting(DvrHostMac::getHost).containsExactlyInAnyOrderElementsOf(Cluster.hosts("m", HOSTS));
    assertThat(first).extracting(DvrHostMac::getMacAddress).doesNotHaveDuplicates()
        .allSatisfy(mac -> assertThat(mac).matches(DVR_MAC));
    assertThat(second).as("both allocators read the same table").containsExactlyInAnyOrderElementsOf(first);
    assertThat(cluster.postgres.one("SELECT count(DISTINCT mac_address) FROM dvr_host_macs")).isEqualTo("50");

    // Requests on the event bus go round-robin: both allocators created MACs, 50 in all, none twice.
    long byFirst = created("mac-allocator-1");
    long bySecond = created("mac-allocator-2");
    assertThat(byFirst).as("MACs created by mac-allocator-1").isPositive();
    assertThat(bySecond).as("MACs created by mac-allocator-2").isPositive();
    assertThat(byFirst + bySecond).as("MACs created in all").isEqualTo(HOSTS);
  }

  @Test
  @Order(2)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("every host learns the 49 other DVR MACs, whichever allocator announced them")
  void everyHostKnowsEveryPeer() {
    Map<String, String> macOf = macs("mac-allocator-2").stream()
        .collect(Collectors.toMap(DvrHostMac::getHost, DvrHostMac::getMacAddress));
    assertThat(macOf).hasSize(HOSTS);
    Set<String> pending = new TreeSet<>(macOf.keySet());
    Map<String, List<String>> lacking = new TreeMap<>();
    // Within 30 s, well before the agents' 60-s full resync could mend a lost announcement.
    Deadline deadline = new Deadline(Duration.ofSeconds(30), () -> lacking.size() + " hosts lack flows for peer"
        + " DVR MACs: " + lacking.entrySet().stream().limit(5).map(e -> e.getKey() + " lacks " + e.getValue())
        .collect(Collectors.joining("; ")));
    while (!pending.isEmpty()) {
      lacking.clear();
      for (String host : List.copyOf(pending)) {
        String brInt = Topology.hostState(cluster.api, host).getOrDefault("ovs-ofctl dump-flows br-int", "");
        List<String> missing = macOf.entrySet().stream()
            .filter(e -> !e.getKey().equals(host) && !brInt.contains("dl_src=" + e.getValue() + " "))
            .map(Map.Entry::getKey).toList();
        if (missing.isEmpty()) {
          pending.remove(host);
        } else {
          lacking.put(host, missing);
        }
      }
      if (!pending.isEmpty()) {
        deadline.check();
        deadline.pause();
      }
    }
  }

  private static List<DvrHostMac> macs(String allocator) {
    return cluster.rpc.call(cluster.process(allocator).port, MacAllocatorServiceGrpcClient.ListDvrMacs,
        ListDvrMacsRequest.getDefaultInstance(), 10_000).getMacsList();
  }

  private static long created(String allocator) {
    return cluster.process(allocator).log().lines().filter(l -> l.contains(" gets DVR MAC ")).count();
  }
}

package io.dvr.clusterit;

import static io.dvr.clusterit.ProbeCluster.awaitLog;
import static io.dvr.clusterit.ProbeCluster.count;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hazelcast's open-source edition lets any process that knows the cluster name and one address
 * join and write the maps Vert.x routes by. Three certified members (two servers, one client),
 * then such a stranger ({@link StrangerMain}) that keeps deleting registrations, registering its
 * own consumers, pointing node info at itself and mangling the signed records.
 */
@Timeout(300)
class HazelcastStrangerTest {
  private static final Pattern SEQ = Pattern.compile("^(ANSWER|FAILED|PUBLISHED) (\\d+)", Pattern.MULTILINE);

  @Test
  @DisplayName("a stranger on Hazelcast with the cluster name rewrites __vertx.subs, __vertx.nodeInfo and the signed records: every request is still answered by the real servers, none reaches the stranger, every publish arrives")
  void strangerCannotDisturbRouting() {
    try (ProbeCluster c = new ProbeCluster("stranger", 3)) {
      JvmProcess a = c.member(0, "server-a", "serve", Map.of());
      JvmProcess b = c.member(1, "server-b", "serve", Map.of());
      JvmProcess client = c.member(2, "client", "client", Map.of());
      awaitLog(client, 0, Duration.ofSeconds(120), "answers from both servers",
          log -> log.contains("by=server-a") && log.contains("by=server-b"));

      JvmProcess stranger = c.outsider("stranger", StrangerMain.class.getName(), Map.of());
      awaitLog(stranger, 0, Duration.ofSeconds(90), "the stranger joined and attacks", log -> log.contains("ROUND 25"));
      assertThat(stranger.log()).contains("JOINED members=4");
      long from = client.logMark();
      long strangerFrom = stranger.logMark();
      // 300 more requests while the stranger goes on for at least 150 more rounds.
      awaitLog(client, from, Duration.ofSeconds(120), "300 requests during the attack",
          log -> count(log, "^(ANSWER|FAILED) ") >= 300 && count(stranger.logSince(strangerFrom), "^ROUND ") >= 6);
      Set<Long> asked = seqs(client.logSince(from), "ANSWER|FAILED|PUBLISHED");
      long first = asked.stream().min(Long::compare).orElseThrow();
      long last = asked.stream().max(Long::compare).orElseThrow();
      awaitLog(client, from, Duration.ofSeconds(30), "an outcome for every request " + first + ".." + last,
          log -> seqs(log, "ANSWER|FAILED").containsAll(range(first, last)));
      String window = client.logSince(from);

      assertThat(window).as("requests that failed during the attack").doesNotContain("FAILED");
      assertThat(count(window, " by=server-a$")).isPositive();
      assertThat(count(window, " by=server-b$")).isPositive();
      assertThat(count(window, "^ANSWER \\d+ by=(?!server-a$|server-b$)")).as("answers from anyone else").isZero();
      Set<Long> published = new TreeSet<>(seqs(window, "PUBLISHED"));
      published.removeIf(n -> n > last);
      for (JvmProcess server : new JvmProcess[] {a, b}) {
        awaitLog(server, 0, Duration.ofSeconds(30), "every publish " + published,
            log -> published.stream().allMatch(n -> log.contains("NEWS client:" + n + "\n")));
      }
      assertThat(stranger.log()).as("messages routed to the stranger").doesNotContain("CONNECTION");
    }
  }

  static Set<Long> seqs(String log, String kinds) {
    Set<Long> out = new TreeSet<>();
    Matcher m = SEQ.matcher(log);
    while (m.find()) {
      if (m.group(1).matches(kinds)) {
        out.add(Long.parseLong(m.group(2)));
      }
    }
    return out;
  }

  static Set<Long> range(long first, long last) {
    Set<Long> out = new TreeSet<>();
    for (long n = first; n <= last; n++) {
      out.add(n);
    }
    return out;
  }
}

package io.dvr.clusterit;

import static io.dvr.clusterit.ProbeCluster.awaitLog;
import static io.dvr.clusterit.ProbeCluster.count;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.cluster.TestCertificates;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Event-bus members without the cluster's certificate: a plaintext one ({@code insecure=true}),
 * one with a certificate of a foreign CA (trusting the cluster CA, which is public), and one with
 * TLS but no certificate. Each joins Hazelcast (name and one address suffice there), serves and
 * subscribes to the addresses the real members use, and asks and publishes on them.
 */
@Timeout(300)
class BusWithoutCertificateTest {

  @Test
  @DisplayName("event-bus members without the cluster's certificate (plaintext, foreign CA, none) receive nothing and deliver nothing; the real members go on answering each other")
  void withoutCertificateNothingPasses() {
    try (ProbeCluster c = new ProbeCluster("nocert", 2)) {
      JvmProcess server = c.member(0, "server-a", "serve", Map.of());
      JvmProcess client = c.member(1, "client", "client", Map.of());
      awaitLog(client, 0, Duration.ofSeconds(120), "answers from the server", log -> log.contains("by=server-a"));

      TestCertificates foreign = TestCertificates.create(c.dir.resolve("foreign-pki"), "foreign-ca");
      String roles = "serve,client";
      List<JvmProcess> intruders = List.of(
          c.outsider("intruder-plain", BusProbeMain.class.getName(), Map.of("DVR_PROBE_ROLE", roles,
              "DVR_INSECURE", "true")),
          c.outsider("intruder-foreign", BusProbeMain.class.getName(), Map.of("DVR_PROBE_ROLE", roles,
              "DVR_CLUSTER_TLS_KEYSTORE", foreign.member("intruder-foreign").toString(),
              "DVR_CLUSTER_TLS_TRUSTSTORE", c.pki.truststore().toString(),
              "DVR_CLUSTER_TLS_PASSWORD", TestCertificates.PASSWORD)),
          c.outsider("intruder-nocert", BusProbeMain.class.getName(), Map.of("DVR_PROBE_ROLE", roles,
              "DVR_PROBE_BUS", "nocert", "DVR_CLUSTER_TLS_TRUSTSTORE", c.pki.truststore().toString(),
              "DVR_CLUSTER_TLS_PASSWORD", TestCertificates.PASSWORD)));
      for (JvmProcess intruder : intruders) {
        awaitLog(intruder, 0, Duration.ofSeconds(120), "joined", log -> log.contains("JOINED "));
      }
      long from = client.logMark();
      // Each intruder has made 40 requests (about half of them to the real server, round robin with
      // its own consumer), and the real client 200 since all intruders were in.
      for (JvmProcess intruder : intruders) {
        awaitLog(intruder, 0, Duration.ofSeconds(120), "40 requests", log -> count(log, "^(ANSWER|FAILED) ") >= 40);
      }
      awaitLog(client, from, Duration.ofSeconds(60), "200 requests with the intruders in",
          log -> count(log, "^(ANSWER|FAILED) ") >= 200);

      String window = client.logSince(from);
      assertThat(window).as("the real client's requests that failed").doesNotContain("FAILED");
      assertThat(count(window, "^ANSWER \\d+ by=(?!server-a$)")).as("answers from anyone but server-a").isZero();
      String served = server.log();
      assertThat(served).as("what server-a got from an intruder").doesNotContain("intruder-");
      for (JvmProcess intruder : intruders) {
        String log = intruder.log();
        assertThat(log).as(intruder.name + " received a request or publish of the real client")
            .doesNotContain("SERVED client:").doesNotContain("NEWS client:");
        assertThat(log).as(intruder.name + " got an answer from the real server").doesNotContain("by=server-a");
      }
    }
  }
}

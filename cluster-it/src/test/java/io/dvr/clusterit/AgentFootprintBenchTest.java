package io.dvr.clusterit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The benchmark's reading of ss: a socket's bytes go to Hazelcast when either end is a member's cluster port. */
class AgentFootprintBenchTest {
  private static final String SS = """
      ESTAB 0 0 127.0.0.1:41000 127.0.0.1:25001 users:(("java",pid=4242,fd=55))
      \t cubic rto:204 bytes_sent:1000 bytes_acked:1000 bytes_received:500 segs_out:10
      ESTAB 0 0 127.0.0.1:25003 127.0.0.1:41002 users:(("java",pid=4242,fd=56))
      \t cubic rto:204 bytes_sent:20 bytes_received:30 segs_out:2
      ESTAB 0 0 127.0.0.1:41001 127.0.0.1:9090 users:(("java",pid=4242,fd=57))
      \t cubic rto:204 bytes_sent:7 bytes_acked:7 bytes_received:3
      ESTAB 0 0 127.0.0.1:41005 127.0.0.1:25001 users:(("java",pid=42,fd=9))
      \t cubic rto:204 bytes_sent:99999 bytes_received:99999
      """;

  @Test
  void splitsTheProcessSocketsBytesBetweenHazelcastAndTheRest() {
    long[] bytes = AgentFootprintBench.socketBytes(SS, 4242, Set.of(25001, 25003));
    assertThat(bytes[0]).isEqualTo(1000 + 500 + 20 + 30);
    assertThat(bytes[1]).isEqualTo(10);
  }
}

package io.dvr.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class KernelWatchTest {
  private static final long NOW = 5_000_000_000L;
  private static final Instant WALL = Instant.parse("2026-12-06T20:21:06.250000Z");

  @Test
  void ipMonitorsStampInMicrosecondsAndTheStampLeavesTheText() {
    KernelWatch.Line line = KernelWatch.stamped(NOW, WALL,
        "[2026-12-06T20:21:06.237603] 10.10.3.7 dev qr-1 lladdr fa:16:3e:b0:00:07 PERMANENT", null);
    assertThat(line.text()).isEqualTo("10.10.3.7 dev qr-1 lladdr fa:16:3e:b0:00:07 PERMANENT");
    assertThat(line.nanos()).isEqualTo(NOW);
    // Printed 12.397 ms before the line was read.
    assertThat(line.stamped()).isEqualTo(NOW - 12_397_000L);
  }

  @Test
  void aStampInWholeMillisecondsCountsAsTheEndOfItsMillisecond() {
    KernelWatch.Line line = KernelWatch.stamped(NOW, WALL, "2026-12-06 20:21:06.237: NXST_FLOW_MONITOR reply (xid=0x0):",
        null);
    assertThat(line.text()).isEqualTo("NXST_FLOW_MONITOR reply (xid=0x0):");
    assertThat(line.stamped()).isEqualTo(NOW - 12_000_000L);
  }

  @Test
  void aMessagesIndentedLinesTakeItsFirstLinesStampAndOthersTheirArrival() {
    long first = NOW - 12_000_000L;
    KernelWatch.Line event = KernelWatch.stamped(NOW, WALL, " event=ADDED table=60 cookie=0x1 dl_dst=fa:16:3e:b0:00:07",
        first);
    assertThat(event.stamped()).isEqualTo(first);
    assertThat(event.text()).startsWith(" event=ADDED");
    assertThat(KernelWatch.stamped(NOW, WALL, "-A PREROUTING -d 192.168.1.5/32 -j DNAT", first).stamped()).isEqualTo(NOW);
  }

  @Test
  void aStampLaterThanTheReadIsTheRead() {
    // A clock step (or a stamp rounded up to the end of its ms) never puts a change after its line was read.
    assertThat(KernelWatch.stamped(NOW, WALL, "2026-12-06 20:21:06.250: NXST_FLOW_MONITOR reply", null).stamped())
        .isEqualTo(NOW);
    assertThat(KernelWatch.stamped(NOW, WALL, "[2026-12-06T20:21:07.000000] 10.0.0.1 dev qr-1", null).stamped())
        .isEqualTo(NOW);
  }

  @Test
  void anOvsdbUpdatesLinesTakeTheStampPrintedBeforeItUpToItsBlankLine() {
    KernelWatch.Stamps stamps = new KernelWatch.Stamps();
    long stamp = NOW - 12_000_000L; // 20:21:06.237, as the end of its ms
    assertThat(stamps.next(NOW, WALL, "2026-12-06 20:21:06.237").stamped()).isEqualTo(stamp);
    assertThat(stamps.next(NOW, WALL, "row                                  action name tag").stamped()).isEqualTo(stamp);
    KernelWatch.Line tag = stamps.next(NOW + 5, WALL, "                                     new    bp7  3");
    assertThat(tag.stamped()).isEqualTo(stamp);
    assertThat(tag.text()).contains("new    bp7  3");
    assertThat(stamps.next(NOW + 6, WALL, "").stamped()).isEqualTo(NOW + 6);
    // After the update's blank line a line takes its arrival, and the other monitors' stamps work as before.
    assertThat(stamps.next(NOW + 7, WALL, "row action").stamped()).isEqualTo(NOW + 7);
    assertThat(stamps.next(NOW, WALL, "2026-12-06 20:21:06.237: NXST_FLOW_MONITOR reply").stamped()).isEqualTo(stamp);
    assertThat(stamps.next(NOW, WALL, " event=ADDED table=60").stamped()).isEqualTo(stamp);
  }
}

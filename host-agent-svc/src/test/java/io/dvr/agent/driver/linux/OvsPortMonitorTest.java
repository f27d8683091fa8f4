package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Which {@code ovsdb-client monitor --format=json} updates make the agent apply again (lines as OVS 3.1 prints them). */
class OvsPortMonitorTest {
  private static final String HEADINGS = "\"headings\":[\"row\",\"action\",\"name\",\"ofport\",\"external_ids\"]}";

  @Test
  @DisplayName("a VM port plugged, given its ofport, changed or unplugged is news")
  void vmPortChangesAreNews() {
    String plugged = "{\"data\":[[\"4d2d4015-8f6f-4611-b2ea-e9b511eefc27\",\"insert\",\"v-vmx\",[\"set\",[]],"
        + "[\"map\",[[\"attached-mac\",\"fa:16:3e:00:00:01\"],[\"iface-id\",\"port-abc\"]]]]]," + HEADINGS;
    String ofport = "{\"data\":[[\"4d2d4015-8f6f-4611-b2ea-e9b511eefc27\",\"old\",null,[\"set\",[]],null],"
        + "[\"\",\"new\",\"v-vmx\",2,[\"map\",[[\"attached-mac\",\"fa:16:3e:00:00:01\"],[\"iface-id\",\"port-abc\"]]]]],"
        + HEADINGS;
    String unplugged = "{\"data\":[[\"4d2d4015-8f6f-4611-b2ea-e9b511eefc27\",\"delete\",\"v-vmx\",2,"
        + "[\"map\",[[\"attached-mac\",\"fa:16:3e:00:00:01\"],[\"iface-id\",\"port-abc\"]]]]]," + HEADINGS;
    assertThat(OvsPortMonitor.touchesVmPort(plugged)).isTrue();
    assertThat(OvsPortMonitor.touchesVmPort(ofport)).isTrue();
    assertThat(OvsPortMonitor.touchesVmPort(unplugged)).isTrue();
  }

  @Test
  @DisplayName("the agent's own devices, tunnel ports and garbage are not news")
  void ownDevicesAreNotNews() {
    String ownDevice = "{\"data\":[[\"5e2d4015-8f6f-4611-b2ea-e9b511eefc27\",\"insert\",\"qr-1a2b3c4d-5e\",[\"set\",[]],"
        + "[\"map\",[[\"dvr-dev\",\"qr-1a2b3c4d-5e\"],[\"dvr-ns\",\"qrouter-1\"]]]]]," + HEADINGS;
    String tunnel = "{\"data\":[[\"23c09c42-0b97-425a-a4c0-9889656fc79a\",\"insert\",\"vxlan-ac1f000d\",3,"
        + "[\"map\",[]]]]," + HEADINGS;
    assertThat(OvsPortMonitor.touchesVmPort(ownDevice)).isFalse();
    assertThat(OvsPortMonitor.touchesVmPort(tunnel)).isFalse();
    assertThat(OvsPortMonitor.touchesVmPort("{not json")).isFalse();
    assertThat(OvsPortMonitor.touchesVmPort("{\"data\":[]}")).isFalse();
  }

  @Test
  @DisplayName("a monitor process that ends is started again after a backoff, and each new start reads the table afresh")
  void restartsAfterTheProcessEnds() throws Exception {
    // A stand-in for ovsdb-client that prints the (empty) table once and exits, as when OVS restarts.
    HostShell exitingAtOnce = new HostShell(List.of("sh", "-c", "echo '{\"data\":[]," + HEADINGS + "'", "stand-in"));
    CountDownLatch reads = new CountDownLatch(2);
    OvsPortMonitor monitor = new OvsPortMonitor("test", exitingAtOnce, reads::countDown);
    try {
      monitor.start();
      assertThat(reads.await(15, TimeUnit.SECONDS)).as("the table read at start and again after the restart").isTrue();
    } finally {
      monitor.close();
    }
  }
}

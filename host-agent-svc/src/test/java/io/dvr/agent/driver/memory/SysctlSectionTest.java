package io.dvr.agent.driver.memory;

import static io.dvr.agent.fixtures.SeedTopology.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.model.HostState;
import io.dvr.agent.reconcile.Reconciler;
import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.HostRenderer;
import io.dvr.proto.v1.HostRouters;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The host-state listing's sysctl sections: per namespace, what the agent sets, as {@code sysctl} prints it. */
class SysctlSectionTest {
  private static final String QROUTER = "qrouter-" + ROUTER;
  private static final String SNAT = "snat-" + ROUTER;
  private static final String FIP = "fip-" + EXT_NET;

  private static Map<String, String> sections(String name, HostRouters routers, HostFacts facts) {
    MemoryHost host = new MemoryHost(name);
    HostState desired = HostRenderer.render(routers, facts);
    host.execute(Reconciler.diff(desired, host.observe()));
    return host.listing("");
  }

  @Test
  @DisplayName("compute1 with a floating IP lists proxy_arp on fg- (1) and rfp- (0), ip_forward, ip_nonlocal_bind in fip-, send_redirects in qrouter-")
  void compute1WithFloatingIp() {
    HostRouters routers = compute1(List.of(FIP_116), FG_COMPUTE1_117, LOCAL_VM1);
    Map<String, String> sections = sections("compute1", routers, compute1Facts(routers));

    assertThat(sections.get(FIP + ": sysctl")).isEqualTo("""
        net.ipv4.conf.fg-9eeb3fb1-25.proxy_arp = 1
        net.ipv4.ip_forward = 1
        net.ipv4.ip_nonlocal_bind = 1
        """);
    assertThat(sections.get(QROUTER + ": sysctl")).isEqualTo("""
        net.ipv4.conf.all.send_redirects = 0
        net.ipv4.conf.qr-517bdba3-b1.send_redirects = 0
        net.ipv4.conf.qr-e47fca31-db.send_redirects = 0
        net.ipv4.conf.qr-f849ae46-48.send_redirects = 0
        net.ipv4.conf.rfp-e8f12f7a-6.proxy_arp = 0
        net.ipv4.ip_forward = 1
        """);
  }

  @Test
  @DisplayName("the network node's snat- lists ip_forward, after its other sections")
  void networkSnat() {
    Map<String, String> sections = sections("network", network(), networkFacts());

    assertThat(sections.get(SNAT + ": sysctl")).isEqualTo("net.ipv4.ip_forward = 1\n");
    List<String> titles = List.copyOf(sections.keySet());
    assertThat(titles.indexOf(SNAT + ": sysctl")).isEqualTo(titles.indexOf(SNAT + ": iptables -t nat -S") + 1);
  }
}

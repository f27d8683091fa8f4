package io.dvr.agent.driver.memory;

import static io.dvr.agent.fixtures.SeedTopology.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.reconcile.Reconciler;
import io.dvr.agent.render.Allocations;
import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.HostRenderer;
import io.dvr.agent.render.Names;
import io.dvr.proto.v1.HostRouters;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Whole listings of the seed's hosts, compared with files under {@code golden/}. When a file is
 * missing or differs, the actual listing is written to {@code target/golden/} for review.
 */
class GoldenListingTest {

  @Test
  @DisplayName("the network node's full listing matches its golden file")
  void networkNode() throws IOException {
    assertGolden("network.txt", applied(io.dvr.agent.fixtures.SeedTopology.network(), networkFacts()));
  }

  @Test
  @DisplayName("compute1's full listing with the seed's second FIP matches its golden file")
  void compute1WithFip() throws IOException {
    HostRouters routers = compute1(List.of(FIP_112), FG_COMPUTE1_118, LOCAL_VM1, LOCAL_VM3);
    HostFacts fresh = compute1Facts(routers);
    HostFacts facts = fresh.withAllocations(fresh.localVlans(),
        Allocations.empty(Names.FIP_PRIORITY_FIRST, Names.FIP_PRIORITY_LAST)
            .with(Names.fipRuleKey(ROUTER, "81.1.180.18"), 32769),
        Allocations.empty(0, Names.LINK_LOCAL_PAIRS - 1).with(ROUTER, (256 + 238) / 2)).allocate(routers);
    assertGolden("compute1.txt", applied(routers, facts));
  }

  private static MemoryHost applied(HostRouters routers, HostFacts facts) {
    MemoryHost host = new MemoryHost(routers.getHost());
    host.execute(Reconciler.diff(HostRenderer.render(routers, facts), host.observe()));
    return host;
  }

  private static void assertGolden(String name, MemoryHost host) throws IOException {
    StringBuilder actual = new StringBuilder();
    for (Map.Entry<String, String> section : host.sections().entrySet()) {
      actual.append("### ").append(section.getKey()).append('\n').append(section.getValue());
    }
    String expected;
    try (InputStream in = GoldenListingTest.class.getResourceAsStream("/golden/" + name)) {
      expected = in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!actual.toString().equals(expected)) {
      Path out = Path.of("target", "golden", name);
      Files.createDirectories(out.getParent());
      Files.writeString(out, actual);
    }
    assertThat(actual.toString()).as("golden/%s (actual written to target/golden/)", name).isEqualTo(expected);
  }
}

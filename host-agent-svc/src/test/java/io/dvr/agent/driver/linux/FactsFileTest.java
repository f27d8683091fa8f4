package io.dvr.agent.driver.linux;

import static io.dvr.agent.fixtures.SeedTopology.FG_COMPUTE1_117;
import static io.dvr.agent.fixtures.SeedTopology.FIP_116;
import static io.dvr.agent.fixtures.SeedTopology.LOCAL_VM1;
import static io.dvr.agent.fixtures.SeedTopology.compute1;
import static io.dvr.agent.fixtures.SeedTopology.compute1Facts;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.render.HostFacts;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FactsFileTest {
  @Test
  @DisplayName("facts written and read back are equal, so FIP priorities and link-local pairs survive a restart")
  void roundTrip(@TempDir Path dir) {
    HostFacts facts = compute1Facts(compute1(List.of(FIP_116), FG_COMPUTE1_117, LOCAL_VM1));
    FactsFile file = new FactsFile(dir.resolve("state"), "compute1");
    assertThat(file.load()).isEmpty();
    file.save(facts);
    assertThat(new FactsFile(dir.resolve("state"), "compute1").load()).contains(facts);
    assertThat(facts.fipPriorities().assigned()).isNotEmpty();
    assertThat(facts.linkLocalPairs().assigned()).isNotEmpty();
  }
}

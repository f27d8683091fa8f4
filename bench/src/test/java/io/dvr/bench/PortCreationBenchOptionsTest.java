package io.dvr.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PortCreationBenchOptionsTest {
  @Test
  @DisplayName("--jit-warmup N takes N ports before the first level; none by default; more than a /16 holds is refused")
  void jitWarmup() {
    assertThat(PortCreationBench.Options.parse(new String[0]).jitWarmup()).isZero();
    assertThat(PortCreationBench.Options.parse(new String[] {"--jit-warmup", "30000", "--networks", "8"}).jitWarmup())
        .isEqualTo(30_000);
    assertThatThrownBy(() -> PortCreationBench.Options.parse(new String[] {"--jit-warmup", "70000"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--jit-warmup 70000");
  }
}

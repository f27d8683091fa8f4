package io.dvr.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class ScaleLawTest {
  private static final List<Integer> HOSTS = List.of(10, 20, 40, 80, 160);

  private static List<ScaleLaw.Point> measured(DoubleUnaryOperator f) {
    return HOSTS.stream().map(n -> new ScaleLaw.Point(n, f.applyAsDouble(n))).toList();
  }

  @Test
  void aCountThatDoesNotMoveWithTheHostsIsConstant() {
    ScaleLaw law = ScaleLaw.fit(measured(n -> 14));
    assertThat(law.order()).isEqualTo("O(1)");
    assertThat(law.at(5000)).isCloseTo(14, within(1e-9));
  }

  @Test
  void aFanOutToEveryHostIsLinearAndExtrapolatesExactly() {
    ScaleLaw law = ScaleLaw.fit(measured(n -> 2 + n));
    assertThat(law.order()).isEqualTo("O(N)");
    assertThat(law.at(1000)).isCloseTo(1002, within(1e-6));
    assertThat(law.formula()).isEqualTo("2.0 + 1.00 N");
  }

  @Test
  void aFullListSentToEveryHostIsQuadratic() {
    // The DVR MAC list (N entries) published to N agents: N^2 entries delivered per join.
    ScaleLaw law = ScaleLaw.fit(measured(n -> 40.0 * n * n + 100 * n));
    assertThat(law.order()).isEqualTo("O(N^2)");
    assertThat(law.at(5000)).isCloseTo(40.0 * 5000 * 5000 + 100 * 5000, within(1.0));
  }

  @Test
  void smallNoiseOnALinearCountDoesNotMakeItQuadratic() {
    // Counts of a few heartbeats' transactions more or less (+-1 and +-2 %) must not read as N^2.
    double[] noise = {1, -1, 0.02, -0.02, 0.01};
    List<ScaleLaw.Point> points = new java.util.ArrayList<>();
    for (int i = 0; i < HOSTS.size(); i++) {
      int n = HOSTS.get(i);
      double v = 3.0 * n + 5;
      points.add(new ScaleLaw.Point(n, v + (Math.abs(noise[i]) < 1 ? noise[i] * v : noise[i])));
    }
    ScaleLaw law = ScaleLaw.fit(points);
    assertThat(law.order()).isEqualTo("O(N)");
    assertThat(law.at(5000)).isCloseTo(15005, within(15005 * 0.03));
  }

  @Test
  void scatteredCountsGiveTheirStraightTrendNotACurveThatTurnsNegative() {
    // Database transactions of a port create as measured: 50, 62, 91, 116 at 10-80 hosts.
    List<ScaleLaw.Point> points = List.of(new ScaleLaw.Point(10, 50.3), new ScaleLaw.Point(20, 62.3),
        new ScaleLaw.Point(40, 91.3), new ScaleLaw.Point(80, 116));
    ScaleLaw law = ScaleLaw.fit(points);
    assertThat(law.order()).isEqualTo("O(N), scattered");
    assertThat(law.at(5000)).isGreaterThan(116);
  }
}

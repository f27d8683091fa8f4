package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ArgsTest {
  @Test
  @DisplayName("a word is accepted exactly when the word pattern matches it: no blank, quote, '#' or backslash")
  void tokenAsThePatternSaysIt() {
    String alphabet = "a0-/.:=,!_ \t\n\u000B\f\r\"'#\\\u00a0\u2028é";
    Random random = new Random(14);
    for (int n = 0; n < 20_000; n++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(6);
      for (int i = 0; i < length; i++) {
        s.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String word = s.toString();
      boolean accepted;
      try {
        Args.token(word);
        accepted = true;
      } catch (IllegalArgumentException e) {
        accepted = false;
      }
      assertThat(accepted).as("'%s'", word).isEqualTo(Args.matchesTokenPattern(word));
    }
    assertThatThrownBy(() -> Args.token(null)).hasMessageContaining("invalid word");
    assertThat(Args.token("--to-destination")).isEqualTo("--to-destination");
  }
}

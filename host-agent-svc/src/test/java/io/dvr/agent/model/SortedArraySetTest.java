package io.dvr.agent.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The model's immutable sorted sets behave as sorted sets do")
class SortedArraySetTest {

  @Test
  @DisplayName("unsorted input with duplicates becomes the sorted distinct items, equal to a TreeSet of them either way")
  void ofUnsorted() {
    SortedSet<Integer> s = SortedArraySet.of(List.of(5, 1, 3, 1, 5, 2));
    assertThat(s).containsExactly(1, 2, 3, 5);
    assertThat(s).isEqualTo(new TreeSet<>(List.of(1, 2, 3, 5)));
    assertThat(new TreeSet<>(List.of(1, 2, 3, 5))).isEqualTo(s);
    assertThat(s.hashCode()).isEqualTo(new TreeSet<>(List.of(1, 2, 3, 5)).hashCode());
    assertThat(s).isNotEqualTo(SortedArraySet.of(List.of(1, 2, 3)));
    assertThat(SortedArraySet.<Integer>of(List.of()).size()).isZero();
  }

  @Test
  @DisplayName("contains, first, last, subSet, headSet and tailSet answer as a TreeSet's, random cases")
  void asTreeSet() {
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      List<Integer> items = new ArrayList<>();
      for (int i = random.nextInt(30); i > 0; i--) {
        items.add(random.nextInt(50));
      }
      TreeSet<Integer> tree = new TreeSet<>(items);
      SortedSet<Integer> ours = SortedArraySet.of(items);
      assertThat(ours).containsExactlyElementsOf(tree);
      for (int probe = -1; probe <= 51; probe++) {
        assertThat(ours.contains(probe)).isEqualTo(tree.contains(probe));
        assertThat(ours.headSet(probe)).containsExactlyElementsOf(tree.headSet(probe));
        assertThat(ours.tailSet(probe)).containsExactlyElementsOf(tree.tailSet(probe));
        int to = probe + random.nextInt(20);
        assertThat(ours.subSet(probe, to)).containsExactlyElementsOf(tree.subSet(probe, to));
      }
      if (!tree.isEmpty()) {
        assertThat(ours.first()).isEqualTo(tree.first());
        assertThat(ours.last()).isEqualTo(tree.last());
      }
    }
    assertThat(SortedArraySet.of(List.of(1)).contains("not an integer")).isFalse();
  }

  @Test
  @DisplayName("with(gone, added) is remove-then-add in one copy, and leaves the original as it was")
  void with() {
    Random random = new Random(11);
    for (int round = 0; round < 300; round++) {
      List<Integer> items = randomList(random);
      List<Integer> gone = randomList(random);
      List<Integer> added = randomList(random);
      TreeSet<Integer> expected = new TreeSet<>(items);
      expected.removeAll(gone);
      expected.addAll(added);
      SortedArraySet<Integer> ours = SortedArraySet.of(items);
      assertThat(ours.with(gone, added)).containsExactlyElementsOf(expected);
      assertThat(ours).containsExactlyElementsOf(new TreeSet<>(items));
    }
  }

  @Test
  @DisplayName("it cannot be changed, and a set of it is taken as it is, not copied")
  void immutable() {
    SortedArraySet<Integer> s = SortedArraySet.of(List.of(1, 2));
    assertThatThrownBy(() -> s.add(3)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.remove(1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.removeIf(i -> true)).isInstanceOf(UnsupportedOperationException.class);
    assertThat(SortedArraySet.of(s)).isSameAs(s);
    assertThat(Set.copyOf(s)).containsExactlyInAnyOrder(1, 2);
  }

  private static List<Integer> randomList(Random random) {
    List<Integer> out = new ArrayList<>();
    for (int i = random.nextInt(12); i > 0; i--) {
      out.add(random.nextInt(20));
    }
    return out;
  }
}

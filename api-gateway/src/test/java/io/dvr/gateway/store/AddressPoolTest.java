package io.dvr.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An address pool: free ranges of a subnet, lowest taken first, claims and give-backs split and merge ranges")
class AddressPoolTest {
  @Test
  @DisplayName("takes the lowest free address, one after the other, and reports when none is left")
  void lowestFirst() {
    AddressPool pool = new AddressPool();
    pool.addRange(10, 12);
    assertThat(pool.takeLowest()).isEqualTo(10);
    assertThat(pool.takeLowest()).isEqualTo(11);
    assertThat(pool.takeLowest()).isEqualTo(12);
    assertThat(pool.takeLowest()).isEqualTo(-1);
  }

  @Test
  @DisplayName("a claimed address splits its range and is never handed out; a given-back one is, and ranges merge again")
  void claimAndGiveBack() {
    AddressPool pool = new AddressPool();
    pool.addRange(1, 100);
    assertThat(pool.claim(50)).isTrue();
    assertThat(pool.claim(50)).isFalse();
    assertThat(pool.ranges()).isEqualTo(2);
    assertThat(pool.freeAddresses()).isEqualTo(99);
    pool.giveBack(50);
    assertThat(pool.ranges()).isEqualTo(1);
    assertThat(pool.freeAddresses()).isEqualTo(100);
    pool.giveBack(50);
    assertThat(pool.freeAddresses()).isEqualTo(100);
  }

  @Test
  @DisplayName("removing ranges that overlap several free ranges keeps exactly what lies outside them")
  void removeAcrossRanges() {
    AddressPool pool = new AddressPool();
    pool.addRange(1, 10);
    pool.addRange(20, 30);
    pool.addRange(40, 50);
    pool.removeRange(5, 45);
    assertThat(pool.ranges()).isEqualTo(2);
    assertThat(pool.freeAddresses()).isEqualTo(4 + 5);
    assertThat(pool.takeLowest()).isEqualTo(1);
    pool.removeRange(2, 4);
    assertThat(pool.takeLowest()).isEqualTo(46);
  }

  @Test
  @DisplayName("a pool of 65,000 addresses with every other one taken holds 32,500 ranges and still takes in order")
  void manyRanges() {
    AddressPool pool = new AddressPool();
    pool.addRange(0, 64_999);
    for (long ip = 0; ip < 65_000; ip += 2) {
      assertThat(pool.claim(ip)).isTrue();
    }
    assertThat(pool.ranges()).isEqualTo(32_500);
    assertThat(pool.takeLowest()).isEqualTo(1);
    assertThat(pool.takeLowest()).isEqualTo(3);
  }
}

package io.dvr.macalloc.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.store.EmbeddedStore;
import io.dvr.store.Store;

import io.dvr.common.grpc.ApiError;
import io.dvr.proto.v1.DvrHostMac;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("DVR host MACs: one per host, unique, fa:16:3f, 16 tries on collision")
class DvrMacStoreTest {
  @TempDir static Path dataDir;
  static EmbeddedStore embedded;
  static Store store;

  @BeforeAll
  static void open() throws Exception {
    embedded = EmbeddedStore.open(dataDir.resolve("pg"));
    store = embedded.store;
  }

  @AfterAll
  static void close() throws Exception {
    embedded.close();
  }

  static <T> T await(Future<T> f) throws Exception {
    return EmbeddedStore.await(f);
  }

  @Test
  @DisplayName("allocation is idempotent per host and the MAC is under fa:16:3f")
  void idempotent() throws Exception {
    DvrMacStore macs = new DvrMacStore(new SecureRandom());
    DvrMacStore.Allocation first = await(store.write(tx -> macs.allocate(tx, "compute1")));
    DvrMacStore.Allocation again = await(store.write(tx -> macs.allocate(tx, "compute1")));
    assertThat(first.created()).isTrue();
    assertThat(again.created()).isFalse();
    assertThat(again.mac()).isEqualTo(first.mac());
    assertThat(first.mac().getMacAddress()).matches("fa:16:3f(:[0-9a-f]{2}){3}");
  }

  @Test
  @DisplayName("50 hosts allocating at once get 50 distinct MACs")
  void concurrentHosts() throws Exception {
    DvrMacStore macs = new DvrMacStore(new SecureRandom());
    List<Future<DvrMacStore.Allocation>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String host = "host-" + i;
      calls.add(store.write(tx -> macs.allocate(tx, host)));
      calls.add(store.write(tx -> macs.allocate(tx, host)));
    }
    await(Future.all(calls));
    List<DvrHostMac> listed = await(store.read(macs::list)).stream()
        .filter(m -> m.getHost().startsWith("host-")).toList();
    assertThat(listed).hasSize(50);
    assertThat(listed.stream().map(DvrHostMac::getMacAddress).distinct()).hasSize(50);
    for (Future<DvrMacStore.Allocation> call : calls) {
      DvrHostMac mac = call.result().mac();
      assertThat(listed).contains(mac);
    }
  }

  @Test
  @DisplayName("when every try collides, the 16th failure is RESOURCE_EXHAUSTED naming the host")
  void collisions() throws Exception {
    RandomGenerator stuck = new RandomGenerator() {
      @Override
      public long nextLong() {
        return 0x123456L;
      }

      @Override
      public int nextInt(int bound) {
        return 0x123456 % bound;
      }
    };
    DvrMacStore macs = new DvrMacStore(stuck);
    assertThat(await(store.write(tx -> macs.allocate(tx, "collide-a"))).mac().getMacAddress())
        .isEqualTo("fa:16:3f:12:34:56");
    Future<DvrMacStore.Allocation> second = store.write(tx -> macs.allocate(tx, "collide-b"));
    ApiError err = (ApiError) org.assertj.core.api.Assertions.catchThrowable(() -> await(second));
    assertThat(err.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
    assertThat(err.getMessage()).contains("collide-b", "16 tries");
    assertThat(await(store.read(macs::list))).extracting(DvrHostMac::getHost).doesNotContain("collide-b");
  }

  @Test
  @DisplayName("a generator that repeats a taken MAC makes the allocator try again and take the next free one")
  void collisionThenFree() throws Exception {
    int[] draws = {0xabcdef, 0xabcdef, 0xabcdef, 0x0a0b0c};
    int[] at = {0};
    RandomGenerator repeating = new RandomGenerator() {
      @Override
      public long nextLong() {
        return draws[Math.min(at[0]++, draws.length - 1)];
      }

      @Override
      public int nextInt(int bound) {
        return (int) nextLong() % bound;
      }
    };
    DvrMacStore macs = new DvrMacStore(repeating);
    assertThat(await(store.write(tx -> macs.allocate(tx, "repeat-a"))).mac().getMacAddress()).isEqualTo("fa:16:3f:ab:cd:ef");
    DvrMacStore.Allocation b = await(store.write(tx -> macs.allocate(tx, "repeat-b")));
    assertThat(b.created()).isTrue();
    assertThat(b.mac().getMacAddress()).as("two collisions, then a free MAC").isEqualTo("fa:16:3f:0a:0b:0c");
    assertThat(at[0]).isEqualTo(4);
  }
}

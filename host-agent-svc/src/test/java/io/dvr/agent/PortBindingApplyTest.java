package io.dvr.agent;

import static io.dvr.agent.fixtures.SeedTopology.LOCAL_VM1;
import static io.dvr.agent.fixtures.SeedTopology.LOCAL_VM3;
import static io.dvr.agent.fixtures.SeedTopology.ROUTER;
import static io.dvr.agent.fixtures.SeedTopology.VM3;
import static io.dvr.agent.fixtures.SeedTopology.compute1;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.reconcile.Reconciler;
import io.dvr.agent.render.Names;
import io.dvr.agent.render.TunnelType;
import io.dvr.proto.v1.HostRouters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A VM port bound to the host or unbound from it is applied for its router alone (its flows and
 * its VM port's tag, the bridges' ports read, no namespace and no flow table read), and leaves the
 * host as a twin host applied in full at every step.
 */
class PortBindingApplyTest {
  private static Vertx vertx;

  @BeforeAll
  static void up() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void down() throws Exception {
    await(vertx.close());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static HostPipeline pipeline(MemoryHost host) {
    return new HostPipeline(vertx, Drivers.memory(host, FactsStore.inMemory()),
        new HostConfig("compute1", "dvr", TunnelType.VXLAN, "10.0.0.11"));
  }

  @Test
  @DisplayName("a port bound, then unbound: each applied for its router alone, equal to a full apply")
  void bindAndUnbindAlone() throws Exception {
    MemoryHost host = new MemoryHost("compute1");
    MemoryHost twin = new MemoryHost("compute1");
    HostPipeline incremental = pipeline(host);
    HostPipeline full = pipeline(twin);
    HostRouters one = compute1();
    HostRouters bound = compute1(List.of(), null, LOCAL_VM1, LOCAL_VM3);
    try {
      await(incremental.apply(one));
      await(full.apply(one));
      assertThat(incremental.wiredPorts()).doesNotContain(VM3);

      for (HostRouters step : List.of(bound, one, bound)) {
        long alone = incremental.appliesOfChangedRoutersOnly();
        int ran = await(incremental.apply(step, Set.of(ROUTER)));
        int ranInFull = await(full.apply(step));
        assertThat(incremental.appliesOfChangedRoutersOnly()).as("applied for its router alone").isEqualTo(alone + 1);
        assertThat(ran).isEqualTo(ranInFull).isPositive();
        assertThat(host.observe()).isEqualTo(twin.observe());
        assertThat(host.sections()).isEqualTo(twin.sections());
        assertThat(Reconciler.diff(incremental.desired(step), host.observe()).operations()).isEmpty();
        assertThat(incremental.wiredPorts()).isEqualTo(full.wiredPorts());
      }
      assertThat(incremental.wiredPorts()).contains(VM3);
      assertThat(host.dumpFlows(Names.BR_INT)).contains("dl_dst=" + LOCAL_VM3.getMacAddress());
      assertThat(await(incremental.apply(bound))).as("a full apply then finds nothing to do").isZero();
    } finally {
      await(incremental.close());
      await(full.close());
    }
  }
}

package io.dvr.agent;

import static io.dvr.agent.fixtures.SeedTopology.LOCAL_VM1;
import static io.dvr.agent.fixtures.SeedTopology.LOCAL_VM3;
import static io.dvr.agent.fixtures.SeedTopology.ROUTER;
import static io.dvr.agent.fixtures.SeedTopology.VM3;
import static io.dvr.agent.fixtures.SeedTopology.compute1;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.driver.Hypervisor;
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

  /** A memory host whose VM ports the test plugs itself, after the binding, as Nova does on a real host. */
  private static HostPipeline withNova(MemoryHost host) {
    return new HostPipeline(vertx, new HostSetup(host, FactsStore.inMemory(), Hypervisor.NOVA, "dvr-test-nova", 1),
        new HostConfig("compute1", "dvr", TunnelType.VXLAN, "10.0.0.11"));
  }

  @Test
  @DisplayName("a port bound before its VM is plugged: the VM plugged, then unplugged after the unbind, is applied for"
      + " the port's router alone; a VM plugged for a port not bound here applies nothing")
  void vmPluggedAfterTheBinding() throws Exception {
    MemoryHost host = new MemoryHost("compute1");
    MemoryHost twin = new MemoryHost("compute1");
    HostPipeline incremental = withNova(host);
    HostPipeline full = withNova(twin);
    HostRouters one = compute1();
    HostRouters bound = compute1(List.of(), null, LOCAL_VM1, LOCAL_VM3);
    try {
      for (MemoryHost h : List.of(host, twin)) {
        h.plugVm("tapaa000001-00", LOCAL_VM1.getPortId());
      }
      await(incremental.apply(one));
      await(full.apply(one));
      assertThat(await(incremental.apply(bound, Set.of(ROUTER)))).isEqualTo(await(full.apply(bound)));
      assertThat(incremental.wiredPorts()).as("bound, not plugged yet").doesNotContain(VM3);
      long inFull = incremental.appliesOfTheWholeHost();

      for (MemoryHost h : List.of(host, twin)) {
        h.plugVm("tapaa000003-00", VM3);
      }
      long alone = incremental.appliesOfChangedRoutersOnly();
      int ran = await(incremental.applyAfterPortsMoved(bound, Set.of()));
      assertThat(ran).isEqualTo(await(full.apply(bound))).isPositive();
      assertThat(incremental.appliesOfChangedRoutersOnly()).as("the port's router alone").isEqualTo(alone + 1);
      assertThat(host.observe()).isEqualTo(twin.observe());
      assertThat(Reconciler.diff(incremental.desired(bound), host.observe()).operations()).isEmpty();
      assertThat(incremental.wiredPorts()).contains(VM3).isEqualTo(full.wiredPorts());
      assertThat(host.dumpFlows(Names.BR_INT)).contains("dl_dst=" + LOCAL_VM3.getMacAddress());

      host.plugVm("tapstranger-00", "0bad0bad-0000-4000-8000-000000000000");
      assertThat(await(incremental.applyAfterPortsMoved(bound, Set.of()))).as("a port not bound here").isZero();

      assertThat(await(incremental.apply(one, Set.of(ROUTER)))).isEqualTo(await(full.apply(one))).isPositive();
      for (MemoryHost h : List.of(host, twin)) {
        h.unplugVm("tapaa000003-00");
      }
      assertThat(await(incremental.applyAfterPortsMoved(one, Set.of()))).as("unplugged after the unbind").isZero();
      assertThat(await(full.apply(one))).isZero();
      assertThat(incremental.appliesOfTheWholeHost()).as("no apply of the whole host since the first two").isEqualTo(inFull);
      assertThat(Reconciler.diff(incremental.desired(one), host.observe()).operations()).isEmpty();
      assertThat(await(incremental.apply(one))).isZero();
    } finally {
      await(incremental.close());
      await(full.close());
    }
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

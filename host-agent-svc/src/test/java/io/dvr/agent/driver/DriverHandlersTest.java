package io.dvr.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.agent.driver.linux.CommandRunner;
import io.dvr.agent.driver.linux.HostShell;
import io.dvr.agent.driver.linux.LinuxHost;
import io.dvr.agent.driver.linux.LinuxOptions;
import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.reconcile.Operation;
import io.dvr.agent.render.Names;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Every driver handles every kind of operation the reconciler can plan. */
class DriverHandlersTest {

  /** The concrete operation kinds: the sealed hierarchy walked down to its records. */
  static Set<Class<?>> operationKinds(Class<?> sealed) {
    Set<Class<?>> kinds = new java.util.HashSet<>();
    for (Class<?> c : sealed.getPermittedSubclasses()) {
      if (c.isSealed()) {
        kinds.addAll(operationKinds(c));
      } else {
        kinds.add(c);
      }
    }
    return kinds;
  }

  private static Set<String> names(Set<? extends Class<?>> classes) {
    Set<String> out = new TreeSet<>();
    classes.forEach(c -> out.add(c.getSimpleName()));
    return out;
  }

  @Test
  @DisplayName("the memory and the Linux driver each have a handler for every permitted subclass of Operation")
  void everyDriverHandlesEveryOperation() {
    Set<Class<?>> kinds = operationKinds(Operation.class);
    assertThat(kinds).as("the sealed hierarchy is walked").hasSizeGreaterThan(20);
    CommandRunner runner = CommandRunner.withPool(HostShell.local(), 1);
    try {
      for (HostDriver driver : List.of(new MemoryHost("h"), new LinuxHost("h", runner, LinuxOptions.defaults()))) {
        assertThat(names(driver.handledOperations())).as(driver.getClass().getSimpleName()).isEqualTo(names(kinds));
      }
    } finally {
      runner.close();
    }
  }

  @Test
  @DisplayName("an operation without a handler fails at dispatch, naming its kind and the driver")
  void missingHandlerFailsClearly() {
    OperationHandlers<StringBuilder> handlers = new OperationHandlers<StringBuilder>("a test driver")
        .on(Operation.CreateNamespace.class, (op, out) -> out.append(op.namespace()));
    StringBuilder out = new StringBuilder();
    handlers.handle(new Operation.CreateNamespace("qrouter-x"), out);
    assertThat(out).hasToString("qrouter-x");
    assertThatThrownBy(() -> handlers.handle(new Operation.DeleteTunnelPort(Names.BR_TUN, "vxlan-0a00000c"), out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a test driver").hasMessageContaining("DeleteTunnelPort");
    assertThatThrownBy(() -> handlers.on(Operation.CreateNamespace.class, (op, o) -> {}))
        .hasMessageContaining("two handlers for CreateNamespace");
  }
}

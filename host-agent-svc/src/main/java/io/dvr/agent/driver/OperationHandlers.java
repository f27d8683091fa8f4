package io.dvr.agent.driver;

import io.dvr.agent.reconcile.Operation;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A driver's handlers by operation kind, so that what a driver handles is data a test can check
 * against the sealed {@link Operation} hierarchy, and an operation without a handler fails with
 * its kind and the driver named rather than falling through an if-chain.
 *
 * @param <C> what a handler works on besides the operation (the host model, a compilation)
 */
public final class OperationHandlers<C> {
  private final String driver;
  private final Map<Class<? extends Operation>, BiConsumer<Operation, C>> byKind = new LinkedHashMap<>();

  public OperationHandlers(String driver) {
    this.driver = driver;
  }

  /** Registers the handler of one kind; registering a kind twice is a programming error. */
  public <T extends Operation> OperationHandlers<C> on(Class<T> kind, BiConsumer<? super T, C> handler) {
    BiConsumer<Operation, C> h = (op, c) -> handler.accept(kind.cast(op), c);
    if (byKind.putIfAbsent(kind, h) != null) {
      throw new IllegalStateException(driver + ": two handlers for " + kind.getSimpleName());
    }
    return this;
  }

  /** Runs the operation's handler. */
  public void handle(Operation op, C context) {
    BiConsumer<Operation, C> h = byKind.get(op.getClass());
    if (h == null) {
      throw new IllegalArgumentException(driver + " has no handler for operation " + op.getClass().getSimpleName()
          + " (" + op + ")");
    }
    h.accept(op, context);
  }

  public Set<Class<? extends Operation>> kinds() {
    return Collections.unmodifiableSet(byKind.keySet());
  }
}

package io.dvr.bench;

import io.dvr.agent.FactsStore;
import io.dvr.agent.render.HostFacts;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An agent's facts store that also tells a watcher after every executed plan (a full apply's pass
 * or one router's incremental plan). The agent's pipeline tells its store on its worker thread
 * inside the host's lock, right after executing the plan, so the watcher sees the host exactly as
 * that plan left it, without polling.
 */
final class WatchedFacts implements FactsStore {
  private final FactsStore saved = FactsStore.inMemory();
  private final AtomicLong applies = new AtomicLong();
  private volatile long lastApplyNanos = System.nanoTime();
  private volatile Consumer<HostFacts> watcher = facts -> {};

  @Override
  public Optional<HostFacts> load() {
    return saved.load();
  }

  @Override
  public void save(HostFacts facts) {
    saved.save(facts);
  }

  @Override
  public void planExecuted(HostFacts facts) {
    applies.incrementAndGet();
    lastApplyNanos = System.nanoTime();
    watcher.accept(facts);
  }

  /** Runs on the applying worker thread while it holds the host's lock; keep it short. */
  void watch(Consumer<HostFacts> watcher) {
    this.watcher = watcher;
  }

  long applies() {
    return applies.get();
  }

  long lastApplyNanos() {
    return lastApplyNanos;
  }
}

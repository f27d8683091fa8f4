package io.dvr.agent;

import io.dvr.agent.render.HostFacts;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where an agent keeps its host facts (ofports, local VLANs, FIP rule priorities, link-local
 * pairs) so that they survive an agent restart. The in-memory store lives as long as the host
 * model it belongs to, like a state file next to the kernel it describes.
 */
public interface FactsStore {
  Optional<HostFacts> load();

  void save(HostFacts facts);

  /**
   * Told after every executed plan, a full apply's pass (right after {@link #save}) or one router's
   * incremental plan, on the applying thread while it holds the host: the facts are those the host
   * now has. A store that persists writes only in {@code save}; this is for those that watch.
   */
  default void planExecuted(HostFacts facts) {}

  static FactsStore inMemory() {
    AtomicReference<HostFacts> saved = new AtomicReference<>();
    return new FactsStore() {
      @Override
      public Optional<HostFacts> load() {
        return Optional.ofNullable(saved.get());
      }

      @Override
      public void save(HostFacts facts) {
        saved.set(facts);
      }
    };
  }
}

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

package io.dvr.common.bus;

import io.dvr.common.Metrics;
import io.micrometer.core.instrument.Counter;

/**
 * Events sent and received on the bus, per address of {@link BusContract} (a per-host address
 * counts under its pattern, {@code dvr.host.{host}.arp}: one series however many hosts):
 * {@code dvr_bus_events_sent_total} and {@code dvr_bus_events_received_total}.
 */
final class BusMeters {
  private BusMeters() {}

  static void sent(BusContract.Binding binding) {
    counter("dvr.bus.events.sent", "published or sent events", binding).increment();
  }

  static void received(BusContract.Binding binding) {
    counter("dvr.bus.events.received", "events taken by this process's listeners", binding).increment();
  }

  private static Counter counter(String name, String description, BusContract.Binding binding) {
    return Counter.builder(name).description(description)
        .tags("address", binding.address(), "kind", binding.kind().name().toLowerCase())
        .register(Metrics.registry());
  }
}

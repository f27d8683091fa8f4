package io.dvr.bench;

import io.dvr.agent.FactsStore;
import io.dvr.agent.MemoryDataplane;
import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.HostRouters;
import io.vertx.core.Vertx;

/**
 * Times the two halves of an agent's sync separately, outside the agent: the fetch from
 * scheduler-svc (database queries and the event bus), and the dataplane's render + diff +
 * execute on a throwaway host model.
 */
final class ApplyCost {
  private ApplyCost() {}

  /** What the agent of this host fetches in a full sync. */
  static HostRouters fetch(Vertx vertx, String host) {
    return Bus.request(vertx, EventAddresses.GET_HOST_ROUTERS, GetHostRoutersRequest.newBuilder().setHost(host).build(),
        HostRouters.parser(), Api.TIMEOUT_MS).await();
  }

  static double fetchMs(Vertx vertx, String host) {
    long t0 = System.nanoTime();
    fetch(vertx, host);
    return (System.nanoTime() - t0) / 1e6;
  }

  /** A dataplane on an empty host of that name, as a wiped host would be. */
  static MemoryDataplane emptyHost(Vertx vertx, String host, String mode) {
    return new MemoryDataplane(vertx, new MemoryHost(host), FactsStore.inMemory(), mode);
  }

  static double applyMs(MemoryDataplane dataplane, HostRouters routers) {
    long t0 = System.nanoTime();
    dataplane.apply(routers).await();
    return (System.nanoTime() - t0) / 1e6;
  }
}

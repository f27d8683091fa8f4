package io.dvr.bench;

import io.dvr.agent.Drivers;
import io.dvr.agent.FactsStore;
import io.dvr.agent.HostConfig;
import io.dvr.agent.HostPipeline;
import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.render.TunnelType;
import io.dvr.common.bus.Bus;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.HostRouters;
import io.vertx.core.Vertx;
import java.util.Set;

/**
 * Times the two halves of an agent's sync separately, outside the agent: the fetch from
 * scheduler-svc (database queries and the event bus), and the pipeline's render + diff +
 * execute on a throwaway host model.
 */
final class ApplyCost {
  private ApplyCost() {}

  /** What the agent of this host fetches in a full sync. */
  static HostRouters fetch(ControlPlane cp, String host) {
    GetHostRoutersRequest request = GetHostRoutersRequest.newBuilder().setHost(host).build();
    // Asked as the host's agent asks: with the proof of its credential.
    return Bus.request(cp.vertx, EventAddresses.GET_HOST_ROUTERS, request, HostRouters.parser(), Api.TIMEOUT_MS,
        cp.security().proof(host).options(request)).await();
  }

  static double fetchMs(ControlPlane cp, String host) {
    long t0 = System.nanoTime();
    fetch(cp, host);
    return (System.nanoTime() - t0) / 1e6;
  }

  /** The agent's pipeline on an empty simulated host of that name, as a wiped host would be. */
  static HostPipeline emptyHost(Vertx vertx, SimHost host) {
    return new HostPipeline(vertx, Drivers.memory(new MemoryHost(host.name), FactsStore.inMemory()),
        new HostConfig(host.name, host.mode, TunnelType.VXLAN, host.tunnelIp));
  }

  static double applyMs(HostPipeline dataplane, HostRouters routers) {
    long t0 = System.nanoTime();
    dataplane.apply(routers).await();
    return (System.nanoTime() - t0) / 1e6;
  }

  /** An apply of these routers alone, as the agent applies an event that names them. */
  static double applyMs(HostPipeline dataplane, HostRouters routers, Set<String> changed) {
    long t0 = System.nanoTime();
    dataplane.apply(routers, changed).await();
    return (System.nanoTime() - t0) / 1e6;
  }
}

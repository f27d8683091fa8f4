package io.dvr.agent.driver;

import io.dvr.proto.v1.HostRouters;

/**
 * What plugs VM ports into the host's br-int. On a real host that is Nova, on its own: the
 * driver's {@link HostDriver#watch} tells the agent. A simulated host has no Nova, so a stand-in
 * plugs the VM ports bound to the host as the agent hears of them, before the pipeline observes.
 */
public interface Hypervisor {
  /** A real host: VMs are plugged by the hypervisor itself, nothing to do here. */
  Hypervisor NOVA = routers -> {};

  /** Makes the host's VM ports match the local ports bound to it (called on the pipeline's worker, under its lock). */
  void plugBound(HostRouters routers);
}

package io.dvr.agent;

import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.HostStateListing;
import io.dvr.proto.v1.TraceHostReply;
import io.dvr.proto.v1.TraceHostRequest;
import io.vertx.core.Future;
import java.util.Set;

/**
 * Where a host agent's wanted state goes: render the routers the host carries, diff against what
 * the host has, apply the difference. {@link HostPipeline} is the one implementation, on any
 * driver (the memory driver models a host; the Linux driver is real).
 */
public interface Dataplane {

  /** Makes the host hold exactly what these routers need; returns the number of operations applied. */
  Future<Integer> apply(HostRouters routers);

  /**
   * As {@link #apply(HostRouters)}, told that only the routers {@code changedRouters} (by id)
   * differ from the last apply: those are re-rendered and re-diffed alone when nothing beyond them
   * changes. Empty: everything may have changed (a full apply).
   */
  default Future<Integer> apply(HostRouters routers, Set<String> changedRouters) {
    return apply(routers);
  }

  /**
   * As {@link #apply(HostRouters, Set)}, after the host's VM ports were plugged or unplugged under
   * the agent ({@link #watch}): only the routers whose local ports moved are applied again, with
   * {@code changedRouters}, when nothing else moved. By default a full apply.
   */
  default Future<Integer> applyAfterPortsMoved(HostRouters routers, Set<String> changedRouters) {
    return apply(routers);
  }

  /** The host's state in the native text formats, for one namespace or (empty) all of it. */
  Future<HostStateListing> print(String namespace);

  /**
   * One leg of a packet's path on this host ({@code dvrctl trace}): walked over the state the
   * renderer makes of {@code view}, or (the request says live) over the state observed on the host.
   */
  default Future<TraceHostReply> trace(TraceHostRequest request, HostRouters view) {
    return Future.failedFuture(new UnsupportedOperationException("this dataplane cannot trace"));
  }

  /**
   * Calls back, on any thread, when the host changed under the agent in a way the wanted state
   * depends on (a VM port plugged or unplugged), so that the agent applies again. A simulated host
   * changes only through the agent: no call back.
   */
  default void watch(Runnable hostChanged) {}

  /** Calls back, on any thread, when the host's switch lost the agent's flows (Open vSwitch restarted). */
  default void watchSwitch(Runnable flowsLost) {}

  /** The local ports the last successful apply wired on the host (plugged, tagged, with flows). */
  Set<String> wiredPorts();
}

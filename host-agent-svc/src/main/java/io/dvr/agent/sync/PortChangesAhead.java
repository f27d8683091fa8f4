package io.dvr.agent.sync;

import io.dvr.proto.v1.HostPort;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.PortChange;
import io.dvr.proto.v1.RouterInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The port changes told with {@code RoutersChanged}, taken into the view ahead of the fetch that
 * follows each of them, and held until a fetch sent after them has answered:
 * <ul>
 *   <li>a fetch that was on its way when a change was heard may have been read before it: once its
 *       reply is taken, the change is taken again (the port does not come and go meanwhile);</li>
 *   <li>a fetch sent after a change was heard was read after its commit: its reply says whether
 *       the change told the port as the control plane holds it ({@code confirmed}) or not
 *       ({@code corrected}: a later change not heard yet, or a difference to look into).</li>
 * </ul>
 * Counted in {@code dvr_agent_port_changes_total} by outcome: {@code taken} (applied before its
 * fetch), {@code fetched} (the view could not say what the fetch would: left to it),
 * {@code confirmed}, {@code corrected}. Used on the sync's context only.
 */
final class PortChangesAhead {
  /** A change taken, heard after {@code fetchesSent} fetches had been sent; what it left in the view. */
  private record Taken(PortChange change, long fetchesSent, Optional<HostPort> port, Set<String> localTo) {}

  private final SyncContext ctx;
  private final Map<String, Taken> held = new HashMap<>();
  private final Counter taken;
  private final Counter fetched;
  private final Counter confirmed;
  private final Counter corrected;

  PortChangesAhead(SyncContext ctx, MeterRegistry registry, String host) {
    this.ctx = ctx;
    this.taken = counter(registry, host, "taken");
    this.fetched = counter(registry, host, "fetched");
    this.confirmed = counter(registry, host, "confirmed");
    this.corrected = counter(registry, host, "corrected");
  }

  private static Counter counter(MeterRegistry registry, String host, String outcome) {
    return Counter.builder("dvr.agent.port.changes")
        .description("port changes told to the host with its routers' change, by what became of them")
        .tags("host", host, "outcome", outcome).register(registry);
  }

  /**
   * Takes the changes into the view, {@code fetchesSent} fetches having been sent so far; returns
   * the routers whose local ports they changed (apply those).
   */
  Set<String> take(HostView view, Iterable<PortChange> changes, long fetchesSent) {
    ctx.check("taking port changes");
    Set<String> touched = new TreeSet<>();
    for (PortChange change : changes) {
      HostView.PortPatch patch = view.patchPort(change);
      switch (patch.outcome()) {
        case PATCHED, UNCHANGED -> {
          taken.increment();
          touched.addAll(patch.routers());
          Taken before = held.get(change.getPortId());
          if (before == null || before.change().getSequence() <= change.getSequence()) {
            held.put(change.getPortId(), new Taken(change, fetchesSent, view.port(change.getPortId()),
                view.routersNaming(change.getPortId())));
          }
        }
        case NOT_HELD, NOT_COMPLETE -> fetched.increment();
      }
    }
    return touched;
  }

  /**
   * The reply of the {@code answered}-th fetch sent has been taken into the view: the changes heard
   * while it was on its way are taken again, those heard before it was sent are checked against
   * it and let go. Returns the routers the changes taken again changed.
   */
  Set<String> fetched(HostView view, HostRouters reply, long answered) {
    ctx.check("taking a fetch after port changes");
    Set<String> touched = new TreeSet<>();
    for (Iterator<Taken> it = held.values().iterator(); it.hasNext(); ) {
      Taken t = it.next();
      if (t.fetchesSent() >= answered) {
        HostView.PortPatch patch = view.patchPort(t.change());
        if (patch.outcome() == HostView.Patch.PATCHED) {
          touched.addAll(patch.routers());
        }
      } else {
        (holds(reply, t) ? confirmed : corrected).increment();
        it.remove();
      }
    }
    return touched;
  }

  /** Whether the reply holds the port as the change left it (its status aside: the port may have been wired since). */
  private static boolean holds(HostRouters reply, Taken t) {
    String id = t.change().getPortId();
    Optional<HostPort> fetchedPort = reply.getPortsList().stream().filter(p -> p.getPortId().equals(id)).findFirst();
    if (!fetchedPort.map(PortChangesAhead::withoutStatus).equals(t.port().map(PortChangesAhead::withoutStatus))) {
      return false;
    }
    for (RouterInfo router : reply.getRoutersList()) {
      if (router.getLocalPortIdsList().contains(id) != t.localTo().contains(router.getRouterId())) {
        return false;
      }
    }
    return true;
  }

  private static HostPort withoutStatus(HostPort port) {
    return port.toBuilder().clearStatus().build();
  }
}

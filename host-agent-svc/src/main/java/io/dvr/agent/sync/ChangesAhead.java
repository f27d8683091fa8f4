package io.dvr.agent.sync;

import io.dvr.proto.v1.FloatingIpChange;
import io.dvr.proto.v1.FloatingIpInfo;
import io.dvr.proto.v1.HostPort;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.PortChange;
import io.dvr.proto.v1.RouterInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The changes of one kind (ports, floating IPs) told with {@code RoutersChanged}, taken into the
 * view ahead of the fetch that follows each of them, and held until a fetch sent after them has
 * answered:
 * <ul>
 *   <li>a fetch that was on its way when a change was heard may have been read before it: once its
 *       reply is taken, the change is taken again (what it changed does not come and go meanwhile);</li>
 *   <li>a fetch sent after a change was heard was read after its commit: its reply says whether
 *       the change told it as the control plane holds it ({@code confirmed}) or not
 *       ({@code corrected}: a later change not heard yet, or a difference to look into).</li>
 * </ul>
 * Counted by outcome ({@code dvr_agent_port_changes_total}, {@code dvr_agent_floating_ip_changes_total}):
 * {@code taken} (applied before its fetch), {@code fetched} (the view could not say what the fetch
 * would: left to it), {@code confirmed}, {@code corrected}. Used on the sync's context only.
 */
final class ChangesAhead<C> {

  /**
   * What differs between the kinds of change: a change's subject and position, how it patches the
   * view, what the view then holds of its subject, and whether a reply read after it holds that.
   */
  record Kind<C>(Function<C, String> id, ToLongFunction<C> sequence, BiFunction<HostView, C, HostView.Patched> patch,
      BiFunction<HostView, C, Object> left, Holds<C> holds) {}

  interface Holds<C> {
    boolean test(HostRouters reply, C change, Object left);
  }

  /** A change taken, heard after {@code fetchesSent} fetches had been sent; what it left in the view. */
  private record Taken<C>(C change, long fetchesSent, Object left) {}

  private final SyncContext ctx;
  private final Kind<C> kind;
  private final Map<String, Taken<C>> held = new HashMap<>();
  private final Counter taken;
  private final Counter fetched;
  private final Counter confirmed;
  private final Counter corrected;

  private ChangesAhead(SyncContext ctx, Kind<C> kind, MeterRegistry registry, String meter, String what, String host) {
    this.ctx = ctx;
    this.kind = kind;
    this.taken = counter(registry, meter, what, host, "taken");
    this.fetched = counter(registry, meter, what, host, "fetched");
    this.confirmed = counter(registry, meter, what, host, "confirmed");
    this.corrected = counter(registry, meter, what, host, "corrected");
  }

  static ChangesAhead<PortChange> ports(SyncContext ctx, MeterRegistry registry, String host) {
    return new ChangesAhead<>(ctx, PORTS, registry, "dvr.agent.port.changes", "port", host);
  }

  static ChangesAhead<FloatingIpChange> floatingIps(SyncContext ctx, MeterRegistry registry, String host) {
    return new ChangesAhead<>(ctx, FLOATING_IPS, registry, "dvr.agent.floating.ip.changes", "floating IP", host);
  }

  private static Counter counter(MeterRegistry registry, String meter, String what, String host, String outcome) {
    return Counter.builder(meter)
        .description(what + " changes told to the host with its routers' change, by what became of them")
        .tags("host", host, "outcome", outcome).register(registry);
  }

  /**
   * Takes the changes into the view, {@code fetchesSent} fetches having been sent so far; returns
   * the routers they changed (apply those).
   */
  Set<String> take(HostView view, Iterable<C> changes, long fetchesSent) {
    ctx.check("taking changes ahead of their fetch");
    Set<String> touched = new TreeSet<>();
    for (C change : changes) {
      HostView.Patched patch = kind.patch().apply(view, change);
      switch (patch.outcome()) {
        case PATCHED, UNCHANGED -> {
          taken.increment();
          touched.addAll(patch.routers());
          Taken<C> before = held.get(kind.id().apply(change));
          if (before == null || kind.sequence().applyAsLong(before.change()) <= kind.sequence().applyAsLong(change)) {
            held.put(kind.id().apply(change), new Taken<>(change, fetchesSent, kind.left().apply(view, change)));
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
    ctx.check("taking a fetch after changes taken ahead");
    Set<String> touched = new TreeSet<>();
    for (Iterator<Taken<C>> it = held.values().iterator(); it.hasNext(); ) {
      Taken<C> t = it.next();
      if (t.fetchesSent() >= answered) {
        HostView.Patched patch = kind.patch().apply(view, t.change());
        if (patch.outcome() == HostView.Patch.PATCHED) {
          touched.addAll(patch.routers());
        }
      } else {
        (kind.holds().test(reply, t.change(), t.left()) ? confirmed : corrected).increment();
        it.remove();
      }
    }
    return touched;
  }

  /** What a port change left: the port as the host part holds it (its status aside), and the routers naming it. */
  private record PortLeft(Optional<HostPort> port, Set<String> localTo) {}

  /** A port: it may have been wired since the change (its status), which the check leaves aside. */
  private static final Kind<PortChange> PORTS = new Kind<>(PortChange::getPortId, PortChange::getSequence,
      HostView::patchPort,
      (view, change) -> new PortLeft(view.port(change.getPortId()).map(ChangesAhead::withoutStatus),
          view.routersNaming(change.getPortId())),
      (reply, change, left) -> {
        String id = change.getPortId();
        PortLeft was = (PortLeft) left;
        Optional<HostPort> port = reply.getPortsList().stream().filter(p -> p.getPortId().equals(id)).findFirst();
        return port.map(ChangesAhead::withoutStatus).equals(was.port()) && reply.getRoutersList().stream()
            .allMatch(r -> r.getLocalPortIdsList().contains(id) == was.localTo().contains(r.getRouterId()));
      });

  /** A floating IP: the held router that has it and how, or none; a router the reply does not carry says nothing. */
  private static final Kind<FloatingIpChange> FLOATING_IPS = new Kind<>(FloatingIpChange::getFloatingIpId,
      FloatingIpChange::getSequence, HostView::patchFloatingIp, (view, change) -> view.floatingIp(change.getFloatingIpId()),
      (reply, change, left) -> {
        @SuppressWarnings("unchecked")
        Optional<Map.Entry<String, FloatingIpInfo>> was = (Optional<Map.Entry<String, FloatingIpInfo>>) left;
        for (RouterInfo r : reply.getRoutersList()) {
          Optional<FloatingIpInfo> here = r.getFloatingIpsList().stream()
              .filter(f -> f.getFloatingIpId().equals(change.getFloatingIpId())).findFirst();
          boolean wasHere = was.isPresent() && was.get().getKey().equals(r.getRouterId());
          if (!Objects.equals(here, wasHere ? Optional.of(was.get().getValue()) : Optional.empty())) {
            return false;
          }
        }
        return true;
      });

  private static HostPort withoutStatus(HostPort port) {
    return port.toBuilder().clearStatus().build();
  }
}

package io.dvr.agent.sync;

import io.dvr.agent.render.CentralSnat;
import io.dvr.proto.v1.HaState;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A host giving up the active role of an HA router in a drain hands its SNAT over instead of
 * dropping it: for {@code agent.snat-handover-ms} it keeps the router as last applied, addresses
 * held, marked {@code ha_handover} so that its br-tun passes the frames still reaching it for the
 * sg- MACs on to the new active host ({@code ha_active_host}). Without it the other hosts' learnt
 * entries for those MACs (shared by every SNAT host of the router) may still point here when the
 * addresses go, taught by this host's own replies while both held them, and their frames would be
 * lost until something taught them the new host. With it the frames reach the new host, its
 * replies teach them, and replies still in flight to this host find their connection.
 *
 * <p>A hand-over starts only from a router whose addresses the last apply held (a fenced host,
 * which holds none, never takes them back this way) and towards another host, named by the view
 * that took the role away or by the last applied one (a draining host's view names the new active).
 * When neither names one (the drain's first view and its last reached this host within one apply,
 * so the one naming the new active was never applied), the addresses stay while scheduler-svc is
 * asked which host is active now: another one, and the hand-over goes on towards it; none (a
 * router deleted, its gateway cleared) or no answer, and they go at once. The SNAT lease is applied
 * after this stage, so a host that loses its lease still gives the addresses up at once. Used on
 * the sync's context only.
 */
final class SnatHandover {
  private static final Logger LOG = LoggerFactory.getLogger(SnatHandover.class);

  private final SyncContext ctx;
  private final long holdMillis;
  private final Supplier<HostRouters> applied;
  private final Consumer<Collection<String>> reapply;
  private final Function<String, Future<String>> activeHostOf;
  /** Routers being handed over: the router kept as rendered, and the timer that ends the hold. */
  private final Map<String, Holding> holding = new TreeMap<>();

  private record Holding(RouterInfo kept, long timerId) {}

  /**
   * {@code holdMillis}: agent.snat-handover-ms (0: no hand-over); {@code applied}: the view last
   * applied; {@code reapply}: applies these routers again (when a hold ends); {@code activeHostOf}:
   * the router's active SNAT host as scheduler-svc has it now ("" for none).
   */
  SnatHandover(SyncContext ctx, long holdMillis, Supplier<HostRouters> applied, Consumer<Collection<String>> reapply,
      Function<String, Future<String>> activeHostOf) {
    if (holdMillis < 0) {
      throw new IllegalArgumentException("setting agent.snat-handover-ms is " + holdMillis + "; it must be 0 or above");
    }
    this.ctx = ctx;
    this.holdMillis = holdMillis;
    this.applied = applied;
    this.reapply = reapply;
    this.activeHostOf = activeHostOf;
  }

  /** The wanted view with the routers being handed over kept as they were applied. */
  HostRouters apply(HostRouters wanted) {
    ctx.check("handing SNAT over");
    if (holdMillis == 0) {
      return wanted;
    }
    Map<String, RouterInfo> now = new TreeMap<>();
    wanted.getRoutersList().forEach(r -> now.put(r.getRouterId(), r));
    for (RouterInfo before : applied.get().getRoutersList()) {
      String id = before.getRouterId();
      if (holding.containsKey(id) || before.getHaHandover() || !holdsAddresses(before) || activeHere(now.get(id))) {
        continue;
      }
      String to = successor(before, now.get(id));
      boolean known = !to.isEmpty() && !to.equals(ctx.host());
      RouterInfo kept = before.toBuilder().setHaHandover(true).setHaActiveHost(known ? to : "").build();
      holding.put(id, new Holding(kept, ctx.timer(holdMillis, () -> release(id))));
      if (known) {
        LOG.info("host {}: router {}: handing its SNAT over to {}; the addresses stay here for {} ms", ctx.host(), id,
            to, holdMillis);
      } else {
        LOG.info("host {}: router {}: no longer its active SNAT host, no successor named; asking which host is active",
            ctx.host(), id);
        ctx.back(activeHostOf.apply(id)).onComplete(answer -> successorFound(id,
            answer.succeeded() && answer.result() != null ? answer.result() : ""));
      }
    }
    // A drain undone makes the router active here again: no longer handed over.
    holding.entrySet().removeIf(e -> {
      boolean back = activeHere(now.get(e.getKey()));
      if (back) {
        ctx.cancel(e.getValue().timerId());
      }
      return back;
    });
    if (holding.isEmpty()) {
      return wanted;
    }
    HostRouters.Builder out = wanted.toBuilder().clearRouters();
    wanted.getRoutersList().forEach(r -> out.addRouters(holding.containsKey(r.getRouterId())
        ? holding.get(r.getRouterId()).kept() : r));
    holding.forEach((id, h) -> {
      if (!now.containsKey(id)) {
        out.addRouters(h.kept());
      }
    });
    return out.build();
  }

  /** The answer for a hand-over that named no successor: go on towards it, or give the addresses up now. */
  private void successorFound(String id, String to) {
    Holding h = holding.get(id);
    if (h == null || !h.kept().getHaActiveHost().isEmpty()) {
      return;
    }
    if (to.isEmpty() || to.equals(ctx.host())) {
      ctx.cancel(h.timerId());
      release(id);
      return;
    }
    holding.put(id, new Holding(h.kept().toBuilder().setHaActiveHost(to).build(), h.timerId()));
    LOG.info("host {}: router {}: handing its SNAT over to {} (as scheduler-svc says)", ctx.host(), id, to);
    reapply.accept(List.of(id));
  }

  private void release(String id) {
    if (holding.remove(id) != null) {
      LOG.info("host {}: router {}: hand-over over; giving the addresses up", ctx.host(), id);
      reapply.accept(List.of(id));
    }
  }

  /** Whether the view makes this host the router's active SNAT host. */
  private static boolean activeHere(RouterInfo r) {
    return r != null && r.getHa() && r.getSnatHere() && r.getHaState() == HaState.HA_STATE_ACTIVE;
  }

  private static boolean holdsAddresses(RouterInfo r) {
    return r.getHa() && r.getSnatHere() && CentralSnat.claimsAddresses(r);
  }

  /** Who takes over: as the new view says (a standby's view names the active), else as the last applied said. */
  private static String successor(RouterInfo before, RouterInfo now) {
    if (now != null && now.getHa() && !now.getHaActiveHost().isEmpty()) {
      return now.getHaActiveHost();
    }
    return before.getHaActiveHost();
  }
}

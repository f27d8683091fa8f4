package io.dvr.agent.sync;

import com.google.protobuf.Timestamp;
import io.dvr.agent.render.CentralSnat;
import io.dvr.agent.render.HostRenderer;
import io.dvr.proto.v1.AppliedRouter;
import io.dvr.proto.v1.HaState;
import io.dvr.proto.v1.HostApplied;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the host has applied, as the control plane is told it: the view of the last successful
 * apply with the snapshot each router was read from, when, and the error of the last apply while
 * it failed (cleared by the next success). An apply is {@link #attempt attempted} with the
 * snapshots of the view it applies: applies run one at a time, so the outcome that follows is
 * that attempt's. A router is reported at the last snapshot it was applied whole from: while its
 * floating IPs wait for this host's {@code fg-} port (none of them is applied), at the snapshot
 * before them, so that a wait for the floating IP's change ends only once it works here. Used on
 * the sync's context only.
 */
final class AppliedState {
  private record Attempt(HostRouters view, Map<String, HostView.Snapshot> snapshots) {}

  private final SyncContext ctx;
  private final Clock clock;
  private Optional<Attempt> attempt = Optional.empty();
  private Optional<Attempt> applied = Optional.empty();
  /** Per router of the applied view, the last snapshot it was applied whole from (absent: never). */
  private Map<String, HostView.Snapshot> whole = Map.of();
  private Instant appliedAt;
  private String error = "";
  private Instant failedAt;

  AppliedState(SyncContext ctx, Clock clock) {
    this.ctx = ctx;
    this.clock = clock;
  }

  /** An apply of {@code view} starts; {@code snapshots}: what each of its routers was read from. */
  void attempt(HostRouters view, Map<String, HostView.Snapshot> snapshots) {
    ctx.check("recording an apply");
    attempt = Optional.of(new Attempt(view, snapshots));
  }

  void succeeded() {
    ctx.check("recording an applied view");
    applied = attempt;
    applied.ifPresent(a -> {
      Map<String, HostView.Snapshot> next = new HashMap<>();
      for (RouterInfo r : a.view().getRoutersList()) {
        HostView.Snapshot s = HostRenderer.floatingIpsAwaitGateway(r) ? whole.get(r.getRouterId()) : snapshot(a, r);
        if (s != null) {
          next.put(r.getRouterId(), s);
        }
      }
      whole = next;
    });
    appliedAt = clock.instant();
    error = "";
    failedAt = null;
  }

  void failed(Throwable err) {
    ctx.check("recording a failed apply");
    error = err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
    failedAt = clock.instant();
  }

  /** The report of the host's applied state now. */
  HostApplied report() {
    ctx.check("reading the applied state");
    HostApplied.Builder b = HostApplied.newBuilder().setHost(ctx.host()).setError(error);
    applied.ifPresent(a -> {
      b.setGeneration(a.view().getGeneration()).addAllInProgress(a.view().getInProgressList())
          .setAppliedAt(ts(appliedAt));
      for (RouterInfo r : a.view().getRoutersList()) {
        HostView.Snapshot s = whole.getOrDefault(r.getRouterId(), NEVER);
        b.addRouters(AppliedRouter.newBuilder().setRouterId(r.getRouterId()).setGeneration(s.generation())
            .addAllInProgress(s.inProgress()).setSnatHere(r.getSnatHere()).setHaState(haState(r)));
      }
    });
    if (failedAt != null) {
      b.setFailedAt(ts(failedAt));
    }
    return b.build();
  }

  private static final HostView.Snapshot NEVER = new HostView.Snapshot(0, java.util.List.of());

  private static HostView.Snapshot snapshot(Attempt a, RouterInfo r) {
    return a.snapshots().getOrDefault(r.getRouterId(), HostView.Snapshot.of(a.view()));
  }

  /** The role applied for an HA router whose SNAT is here, as the renderer took it; unspecified elsewhere. */
  private static HaState haState(RouterInfo r) {
    if (!r.getHa() || !r.getSnatHere()) {
      return HaState.HA_STATE_UNSPECIFIED;
    }
    return CentralSnat.claimsAddresses(r) ? HaState.HA_STATE_ACTIVE : HaState.HA_STATE_STANDBY;
  }

  private static Timestamp ts(Instant at) {
    return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
  }
}

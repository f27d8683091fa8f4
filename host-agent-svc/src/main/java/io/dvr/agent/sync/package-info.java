/**
 * The host agent's sync with the control plane: what routers the host carries, kept current and
 * applied through the {@link io.dvr.agent.Dataplane}. {@link io.dvr.agent.sync.RouterSync} only
 * wires the parts below to the event bus and the resync timer; each part owns its fields and
 * names its states (sealed records or enums, one method per transition):
 *
 * <ul>
 *   <li>{@code HostView}: the routers held by id and the host part (DVR MAC, peers' MACs and
 *       tunnel endpoints). PARTIAL until the first full sync is taken, then COMPLETE. Takes fetch
 *       replies; patches ARP updates and peer announcements, and says NOT_HELD when a patch
 *       cannot be made (the router is fetched instead).
 *   <li>{@code RouterFetcher}: Idle, Fetching (a {@code FetchScope} on its way plus what to fetch
 *       right after it), WaitingToRetry, Stopped. A scope is every router (a full sync, which
 *       drops routers no longer carried) or some by id; scopes merge.
 *   <li>{@code Applier}: Idle, Applying, ApplyingThenAgain, BackingOff (1 s doubling to 30 s,
 *       reset by a success), Stopped.
 *   <li>{@code WiredPortReporter}: Idle, Reporting, ReportingThenAgain, WaitingToRetry, Stopped,
 *       plus the ports last acknowledged.
 *   <li>{@code DvrMacClaim}: NotAsked, Asking, WaitingToRetry, Held, Stopped.
 *   <li>{@code AppliedState}: the view of the last successful apply with the snapshot each of its
 *       routers was read from, when, and the failing apply's error; {@code AppliedStateReporter}
 *       (Idle, Reporting, WaitingToRetry, Stopped) sends it after every apply, the latest whole.
 *   <li>{@code SnatLease} (dvr_snat hosts): Fenced, Confirming (granted, waiting for a view fetched
 *       after the grant), Held (until the last renewal's send time plus its hold, with the timer that
 *       fences there), Stopped. While not Held every ACTIVE role of an HA router is applied as
 *       STANDBY; each change re-applies those routers alone.
 * </ul>
 *
 * <p>Why these parts: each has one reason to change (what is held, how it is fetched, how it is
 * applied, what is reported), and the rules between them are few and live in {@code RouterSync}:
 * an ARP update for a router that a fetch on its way covers is fetched again rather than patched
 * (the reply may carry an older table); a peer announcement during any fetch asks for a full
 * sync after it (the reply replaces the peers); a fetch reply and a successful patch ask for an
 * apply; a successful apply asks for a port report. One fetch at a time, one apply at a time and
 * one report at a time, each merging what comes meanwhile into one more run, as Neutron's agent
 * keeps one worker per router.
 *
 * <p><b>Ownership rule: one context per host.</b> All of a host's sync state is used on one
 * Vert.x event-loop context, captured when the sync starts ({@code SyncContext}). Bus listeners
 * and timers are registered there; calls from other threads (tests, the OVS port monitor's
 * callback, {@code resync()}, {@code stop()}) hop onto it; futures completed elsewhere (a
 * dataplane's apply) are brought back to it before their outcome is taken. Every transition
 * checks this and throws {@link java.lang.IllegalStateException} naming the thread when run
 * elsewhere. Only the outcome of the applies ({@code Applier.Applied}) is published for other
 * threads, as an immutable value in a volatile field.
 *
 * <p>Guarantees: nothing is applied before the first full sync is held (and the DVR MAC) or after
 * stop; no event is lost (an update that cannot be patched is fetched); a failed fetch, report
 * or MAC allocation is retried until it succeeds, a failed apply with backoff.
 */
package io.dvr.agent.sync;

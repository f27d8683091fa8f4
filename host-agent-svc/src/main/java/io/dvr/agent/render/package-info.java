/**
 * The pure renderer: {@code HostRouters} (what the control plane says) plus {@code HostFacts}
 * (what only the host knows: ofports, local VLANs, persisted allocations) gives the desired
 * {@code HostState}: namespaces, and per bridge the flows and the ports (VLAN tags of router and
 * VM ports, one tunnel port per peer).
 *
 * <p>Guarantees: no I/O, clock, randomness or shared mutable state; the same inputs give an
 * {@code equals} result. Every name and number of kernel and OVS state comes from {@link
 * io.dvr.agent.render.Names}. Allocations are pure functions of the previous allocations and the
 * keys needed now, so values survive restarts once the shell persists them. The predicates that
 * decide what a host carries ({@code HostRenderer.carried}, {@code CentralSnat.isHere}) exist only
 * here; the agent core uses them, never a copy. Likewise a router's local ports and the peers'
 * DVR MACs and tunnel endpoints are read from the view's host-level lists only through {@link
 * io.dvr.agent.render.HostParts}.
 *
 * <p>A host's desired state is composed: the host-level flows and tunnel ports, plus one {@link
 * io.dvr.agent.render.RouterPart} per carried router (its namespace parts, flows and br-int ports),
 * merged in router id order ({@code HostRenderer.renderParts}); a router's part depends only on
 * that router, the host's ports it refers to and the facts. {@code RouterPart.footprint} names what of a router reaches the
 * facts and the host-level state, so the agent can tell when re-rendering one router is enough.
 */
package io.dvr.agent.render;

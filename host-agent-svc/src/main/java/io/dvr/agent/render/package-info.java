/**
 * The pure renderer: {@code HostRouters} (what the control plane says) plus {@code HostFacts}
 * (what only the host knows: ofports, local VLANs, persisted allocations) gives the desired
 * {@code HostState}.
 *
 * <p>Guarantees: no I/O, clock, randomness or shared mutable state; the same inputs give an
 * {@code equals} result. Every name and number of kernel and OVS state comes from {@link
 * io.dvr.agent.render.Names}. Allocations are pure functions of the previous allocations and the
 * keys needed now, so values survive restarts once the shell persists them.
 */
package io.dvr.agent.render;

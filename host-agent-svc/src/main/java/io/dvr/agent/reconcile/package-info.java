/**
 * Reconciliation as data: {@code Reconciler.diff(desired, observed)} gives a {@link
 * io.dvr.agent.reconcile.Plan}, an ordered list of {@link io.dvr.agent.reconcile.Operation}s that a
 * driver executes.
 *
 * <p>Guarantees: {@code diff} is pure and {@code diff(x, x)} is empty. Creations come parent
 * first (namespace, device, link, sysctl, address, then routes, rules, neighbours and nat),
 * deletions child first; work the kernel does by itself (a device's routes going with it, the
 * prefix route of an address) is not planned. Stale objects with our names (namespaces, devices,
 * nat chains, flows with our cookie, tunnel ports marked with a peer) are removed; anything else is
 * left alone. OVS ports are state like the rest: a missing tunnel port is added, a plugged port
 * gets its VLAN tag right after its device is made, a VM port is tagged when present (never
 * made); the plan is the whole of what changes on the host. Every operation
 * names its namespace; {@link io.dvr.agent.reconcile.Plan#lanes()} splits a plan into lanes that
 * can run in parallel, keeping namespaces joined by a veth pair in one lane.
 */
package io.dvr.agent.reconcile;

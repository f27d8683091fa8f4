/**
 * Reconciliation as data: {@code Reconciler.diff(desired, observed)} gives a {@link
 * io.dvr.agent.reconcile.Plan}, an ordered list of {@link io.dvr.agent.reconcile.Operation}s that a
 * driver executes.
 *
 * <p>Guarantees: {@code diff} is pure and {@code diff(x, x)} is empty. Creations come parent
 * first (namespace, device, link, sysctl, address, then routes, rules, neighbours and nat),
 * deletions child first; work the kernel does by itself (a device's routes going with it, the
 * prefix route of an address) is not planned. Stale objects with our names (namespaces, devices,
 * nat chains, flows with our cookie) are removed; anything else is left alone. Every operation
 * names its namespace; {@link io.dvr.agent.reconcile.Plan#lanes()} splits a plan into lanes that
 * can run in parallel, keeping namespaces joined by a veth pair in one lane.
 */
package io.dvr.agent.reconcile;

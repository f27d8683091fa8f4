/**
 * The host agent: registration and heartbeat, the router sync, and the one pipeline that turns
 * what the control plane says into what the host holds.
 *
 * <p>Guarantees: {@link io.dvr.agent.HostPipeline} is the only place that runs facts, render, diff
 * and execute, the same for every driver. Host facts (ofports, local VLANs, FIP rule priorities,
 * link-local pairs) are computed in one place, {@code ObservedFacts}, from what the driver
 * observed and by the renderer's own rules, and are saved through the {@link
 * io.dvr.agent.FactsStore} after every executed plan. An apply repeats, at most three passes, only
 * while executing changed the facts; an apply on a host that already holds the wanted state
 * executes nothing (also right after an agent restart). Drivers are chosen by {@code
 * agent.dataplane} in {@link io.dvr.agent.Drivers}, never by type tests; a bad value is refused
 * naming the setting and the value. Blocking work never runs on an event loop.
 *
 * <p>Incremental applies. An apply told which routers changed ({@code Dataplane.apply(routers,
 * changedRouters)}: ARP patches and fetch replies of some routers) re-renders and re-diffs only
 * those routers against {@code HostCache}, what the last full apply left; everything else (start,
 * full syncs, peer MACs and tunnel endpoints, the host changing under the agent, a failed apply)
 * applies in full, re-observing the whole host and rebuilding the cache. Invariants:
 * <ul>
 *   <li>The desired state is the host-level part plus each carried router's {@code RouterPart},
 *       merged in router id order: the full render is built that way, and the cache keeps the same
 *       parts, so a namespace re-assembled from cached parts (fip- is shared by the routers of one
 *       external network) equals the one a full render gives.
 *   <li>A desired flow is counted once per part rendering it (host-level included); it is wanted
 *       while its count is above zero, so a flow two routers render stays until both drop it.
 *   <li>An incremental plan is the full diff restricted to the namespaces whose parts changed, the
 *       veth peers' namespaces of the devices changing there, the flow keys the changed parts add
 *       or drop and the changed routers' br-int ports: on a host that holds what the cache says,
 *       it is the plan a full apply would make.
 *   <li>The facts, host-level flows and bridge ports never change in an incremental apply: each
 *       router has a footprint ({@code RouterFootprint}: keys to allocate, ports whose ofports
 *       count, tunnel networks, br-int ports, VM ports to plug) and when a change would add the
 *       first or drop the last router of any token, or the host part of the routers changed, the
 *       apply is in full. Nothing of the cache changes before that is decided.
 *   <li>A change of routers' ARP tables alone (what an ArpUpdate makes) is planned by the keys of
 *       the neighbours that moved, against the cached namespaces: it costs what the changed
 *       entries cost, however many entries, routers and peers the host has.
 *   <li>The cache's observed flows and permanent neighbours follow every executed plan (OVS keys
 *       flows, and the kernel neighbours, as plans do). After
 *       an incremental plan the namespaces diffed or touched otherwise are read back from the driver
 *       ({@code HostDriver.observeNamespaces}), and the bridges' ports when the plan made, deleted
 *       or tagged a port. A full apply reads nothing back (it costs what it cost before): what
 *       its plan touched is read at the next incremental plan, before diffing. A failure drops
 *       the cache: the next apply is in full. The periodic full resync repairs drift the cache
 *       cannot see.
 * </ul>
 * Both drivers read single namespaces back; the Linux driver also reads the namespaces of the
 * veths' peers there, to name the peers.
 */
package io.dvr.agent;

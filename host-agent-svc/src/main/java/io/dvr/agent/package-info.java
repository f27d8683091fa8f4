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
 */
package io.dvr.agent;

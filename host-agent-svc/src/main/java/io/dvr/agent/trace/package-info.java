/**
 * The packet tracer ({@code dvrctl trace}, as {@code ovn-trace} is for OVN): walks one packet
 * through one host's state, rendered or observed, as the kernel and Open vSwitch would.
 *
 * <p>What it guarantees: the walk is a pure evaluation of the state it is given (no I/O, no clock):
 * OpenFlow tables by priority with their match fields and actions ({@link FlowLookup},
 * {@link BridgeWalk}), ip rules by priority ({@link RuleLookup}), longest-prefix match in the
 * table a rule names ({@link RouteLookup}), the nat chains in order ({@link NatLookup}), permanent
 * neighbours, and the sysctls that decide forwarding and proxy ARP. Nothing is known per traffic
 * kind: a path is only what the state makes of the packet. A leg ends where the packet leaves the
 * host (a tunnel to another host: the caller traces the next leg there), is delivered (a VM port,
 * the external network, a namespace's own address) or is dropped, with the reason naming the
 * missing or refusing piece of state.
 */
package io.dvr.agent.trace;

/**
 * A host's kernel and Open vSwitch state as plain data: namespaces with their devices, addresses,
 * sysctls, ip rules, routes, permanent neighbours and iptables nat table, plus the bridges in the
 * root namespace with their flows and their ports (kind, VLAN tag, ofport, tunnel endpoints).
 *
 * <p>Guarantees: every type is an immutable record; every collection is sorted (or, for iptables
 * rules, in the order the kernel evaluates them), so two values describing the same state are
 * {@code equals} and print the same. Nothing here knows which objects belong to the agent; that
 * is {@code io.dvr.agent.render.Names}.
 */
package io.dvr.agent.model;

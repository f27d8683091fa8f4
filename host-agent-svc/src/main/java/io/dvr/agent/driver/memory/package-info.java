/**
 * An in-memory model of one host's kernel (namespaces, devices, addresses, sysctls, rules,
 * routes, neighbours, iptables nat) and Open vSwitch flows, for tests, simulations and the lab.
 *
 * <p>Guarantees: executing an operation twice has the effect of executing it once (replace
 * semantics; creating what exists and deleting what is gone are no-ops); an operation whose
 * parent is missing (a device in a namespace that does not exist) fails as the kernel would,
 * naming the operation. Side effects follow the kernel: an address brings its prefix route, a
 * deleted device takes its routes, neighbours and sysctls, a veth end takes its peer. Deterministic:
 * the same operations give the same state, ifindexes and generated MACs.
 */
package io.dvr.agent.driver.memory;

/**
 * The memory driver: an in-memory model of one host's kernel (namespaces, devices, addresses,
 * sysctls, rules, routes, neighbours, iptables nat) and Open vSwitch (bridges with their flows and
 * ports, ofports given as OVS gives them), for tests, simulations and the lab, with a simulated
 * Nova ({@link io.dvr.agent.driver.memory.SimulatedNova}) that plugs the VM ports bound to the host.
 *
 * <p>Guarantees: it only observes and executes; every operation kind has its handler. Executing
 * an operation twice has the effect of executing it once (replace semantics; creating what exists
 * and deleting what is gone are no-ops); an operation whose parent is missing (a device in a
 * namespace that does not exist, a tag on a port that does not exist) fails as the kernel or
 * ovs-vsctl would, naming the operation. Side effects follow the kernel and OVS: an address brings
 * its prefix route, a deleted device takes its routes, neighbours, sysctls and OVS port, a veth end
 * takes its peer. Deterministic: the same operations give the same state, ifindexes, ofports and
 * generated MACs. Each public method holds the host's lock.
 */
package io.dvr.agent.driver.memory;

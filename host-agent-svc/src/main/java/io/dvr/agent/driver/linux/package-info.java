/**
 * The Linux driver: executes reconciler plans on a real host with iproute2, sysctl, iptables and
 * Open vSwitch, and reads the host back into the same model the memory driver reports.
 *
 * <p>Guarantees: every process gets an argv of validated values (never a shell string) and runs
 * off the event loop on a bounded pool with a timeout; a failure carries the command line, exit
 * code and stderr. Operations of one lane run in plan order, lanes in parallel; ip commands of one
 * namespace are batched, the nat table of a namespace is written by one {@code iptables-restore -n}
 * per plan (only our chains and the jumps to them), flows of a bridge by one {@code ovs-ofctl
 * --bundle}. Only objects with our names or our flow cookie are changed or removed. After a plan
 * made from {@code diff(desired, observe())} has run, {@code diff(desired, observe())} is empty.
 */
package io.dvr.agent.driver.linux;

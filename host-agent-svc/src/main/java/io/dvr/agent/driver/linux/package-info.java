/**
 * The Linux driver: executes reconciler plans on a real host with iproute2, sysctl, iptables and
 * Open vSwitch, and reads the host back into the same model the memory driver reports (bridges
 * with their flows and their ports: plugged devices, VM ports, tunnel and patch ports).
 *
 * <p>Guarantees: it only observes and executes; every operation kind has its handler in {@code
 * OperationCompiler}. Every process gets an argv of validated values (never a shell string) and
 * runs off the event loop on a bounded pool with a timeout; a failure carries the command line,
 * exit code and stderr. Operations of one lane run in plan order, lanes in parallel (a lane's
 * namespace-local settings grouped by namespace, each namespace's in plan order); ip commands of
 * one namespace are batched ({@code ip -force -batch}: every failing line is checked, a tolerated
 * one costs no second process; a small batch, up to 32 lines, goes through that namespace's
 * long-lived {@code ip -batch} session, line by line with a marker after each, so that one ARP entry
 * costs no process; a session is used only while it holds the namespace of its name, read from
 * {@code /proc} (its {@code ip} asked with {@code netns identify} when that does not say yes), and
 * is ended before a plan makes or deletes that namespace), and the host ip lines that start the
 * lanes (namespaces, veth pairs) go first as one batch for the whole plan; sysctls and ethtool wait
 * for their lane's end; the nat table of a namespace is written by one {@code
 * iptables-restore -n} per plan (only our chains and the jumps to them), flows of a bridge by one
 * atomic bundle (over a long-lived OpenFlow connection to the bridge's management socket when one is
 * configured and answers, else one {@code ovs-ofctl --bundle}), and every OVS port change of a plan (plugging, tags, tunnel ports) by
 * one ovs-vsctl transaction. Nothing else changes the host: no ovs-vsctl call outside a plan. Only
 * objects with our names, our flow cookie or our tunnel mark are changed or removed. After a plan
 * made from {@code diff(desired, observe())} has run, {@code diff(desired, observe())} is empty.
 */
package io.dvr.agent.driver.linux;

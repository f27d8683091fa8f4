/**
 * Printers of model state in the native text of the Linux tools ({@code ip netns}, {@code ip addr},
 * {@code ip rule}, {@code ip route}, {@code ip neigh}, {@code iptables -t nat -S}, {@code sysctl},
 * {@code ovs-ofctl dump-flows --no-stats}), one small class per format. Pure functions of their
 * arguments; every listing ends each line with a newline.
 */
package io.dvr.agent.driver.listing;

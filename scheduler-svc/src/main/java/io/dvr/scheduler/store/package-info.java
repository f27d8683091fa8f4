/**
 * scheduler-svc's rules and SQL: placement and SNAT election ({@link
 * io.dvr.scheduler.store.SchedulerStore}), the fg- port decision ({@link
 * io.dvr.scheduler.store.FipGatewayPorts}, pure) and the host projection ({@link
 * io.dvr.scheduler.store.HostRoutersQuery}), the compiler from intent to what each host renders.
 *
 * <p>Ownership: api-gateway writes intent (networks, subnets, ports, ip_allocations, routers,
 * router_interfaces, floating_ips, agents); scheduler-svc reads it read-only to compile host
 * views. The bindings (router_host_bindings, router_snat_bindings) are scheduler-svc's: it is
 * their only writer. ARP membership is arp-svc's and the DVR MACs are mac-allocator-svc's: the
 * projection asks them over the event bus instead of re-implementing their rules. fg- ports are
 * decided here and created or deleted by api-gateway, the owner of ports.
 *
 * <p>Host views: each port and peer of a host is listed once, at host level, and routers name
 * their local ports by id. A view is read in one REPEATABLE READ snapshot and numbered with that
 * snapshot's xmax ({@code HostRoutersQuery.generation}): a view read from a later snapshot never
 * has a lower generation, and none is written to number it.
 */
package io.dvr.scheduler.store;

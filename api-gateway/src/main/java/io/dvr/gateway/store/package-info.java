/**
 * The SQL of api-gateway's tables, the intent: networks, subnets, ports, IP allocations (IPAM),
 * routers and their interfaces, floating IPs and agents. api-gateway is their only writer; every
 * write records its {@code ResourceChanged} events in the same transaction (the outbox). Other
 * services read intent read-only or ask api-gateway over the event bus (port status, fg- ports).
 */
package io.dvr.gateway.store;

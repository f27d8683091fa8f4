/**
 * The Neutron face: Networking v2.0 REST (networks, subnets, ports, routers, floating IPs,
 * agents) on its own port, calling the very services of the gRPC face, so validation, project
 * scoping, roles and quotas are the same. Failures keep the service's message and take the HTTP
 * status of one table ({@link io.dvr.gateway.rest.NeutronErrors}); list semantics (filters,
 * fields, sorting, limit/marker) are applied by {@link io.dvr.gateway.rest.ListQuery} to the
 * caller's visible items.
 */
package io.dvr.gateway.rest;

package io.dvr.gateway.rest;

import io.dvr.gateway.api.AgentApi;
import io.dvr.gateway.api.FloatingIpApi;
import io.dvr.gateway.api.NetworkApi;
import io.dvr.gateway.api.PortApi;
import io.dvr.gateway.api.RouterApi;
import io.dvr.gateway.api.SubnetApi;

/** The services of the gRPC face, the very objects it serves, which the REST face calls too. */
public record NeutronServices(NetworkApi networks, SubnetApi subnets, PortApi ports, RouterApi routers,
    FloatingIpApi floatingIps, AgentApi agents) {}

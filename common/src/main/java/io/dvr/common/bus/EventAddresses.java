package io.dvr.common.bus;

/**
 * Event-bus addresses. Payloads are serialised dvr.v1 messages; {@link BusContract} binds each
 * address to its message types and its owning service.
 */
public final class EventAddresses {
  /** Published once per committed change: a serialised {@code dvr.v1.ResourceChanged}. */
  public static final String RESOURCE_CHANGED = "dvr.events.resource-changed";
  /** Header naming the resource type of a {@link #RESOURCE_CHANGED} message, for cheap filtering. */
  public static final String RESOURCE_TYPE_HEADER = "resource-type";

  /** Request/reply: AllocateDvrMacRequest -> DvrHostMac (mac-allocator-svc). */
  public static final String ALLOCATE_DVR_MAC = "dvr.mac-allocator.allocate";
  /** Request/reply: ListDvrMacsRequest -> ListDvrMacsResponse (mac-allocator-svc). */
  public static final String LIST_DVR_MACS = "dvr.mac-allocator.list";
  /** Published after every new DVR MAC: the full ListDvrMacsResponse, to every agent. */
  public static final String DVR_MACS = "dvr.agents.dvr-macs";
  /** Published when a host's tunnel endpoint was registered, changed or removed: TunnelEndpoint, to every agent. */
  public static final String TUNNEL_ENDPOINTS = "dvr.agents.tunnel-endpoints";
  /**
   * Request/reply: PortsWired -> PortsWiredAck (api-gateway, the owner of the ports and their
   * status): which of a host's ports its agent wired.
   */
  public static final String PORTS_WIRED = "dvr.gateway.ports-wired";
  /**
   * Request/reply: HostApplied -> HostAppliedAck (api-gateway, the keeper of the applied state):
   * what a host's agent last applied, and its last error.
   */
  public static final String HOST_APPLIED = "dvr.gateway.host-applied";
  /**
   * Published by the api-gateway instance that stored a host's applied state, to every instance:
   * HostApplied as stored. Waiters for a change watch it.
   */
  public static final String HOST_APPLIED_STORED = "dvr.gateway.host-applied-stored";
  /** Request/reply: SyncFipGatewayPortsRequest -> SyncFipGatewayPortsResponse (api-gateway). */
  public static final String SYNC_FIP_GATEWAY_PORTS = "dvr.gateway.fip-gateway-ports";
  /** Request/reply: GetHostRoutersRequest -> HostRouters (scheduler-svc). */
  public static final String GET_HOST_ROUTERS = "dvr.scheduler.host-routers";
  /**
   * Request/reply: SnatLeaseRenewal -> SnatLeaseGrant (scheduler-svc), sent by dvr_snat agents
   * with their host proof; keeps the host's SNAT lease for its active HA routers.
   */
  public static final String SNAT_LEASE = "dvr.scheduler.snat-lease";
  /**
   * Request/reply: AgentRouterRequest -> ListHostsForRouterResponse (scheduler-svc), from
   * api-gateway once it checked the agent and the router: l3-agent-router-add / -remove.
   */
  public static final String SNAT_ROUTER_ADD = "dvr.scheduler.snat-router-add";
  public static final String SNAT_ROUTER_REMOVE = "dvr.scheduler.snat-router-remove";
  /** Request/reply: ListHostsForRouterRequest -> ListHostsForRouterResponse (scheduler-svc). */
  public static final String LIST_HOSTS_FOR_ROUTER = "dvr.scheduler.router-hosts";
  /** Request/reply: GetArpTablesRequest -> ArpTables (arp-svc). */
  public static final String GET_ARP_TABLES = "dvr.arp.tables";

  private EventAddresses() {}

  /** Sent to one host's agent: RoutersChanged. */
  public static String routersChanged(String host) {
    return "dvr.host." + host + ".routers-changed";
  }

  /** Sent to one host's agent: ArpUpdate for a router it carries. */
  public static String arpUpdate(String host) {
    return "dvr.host." + host + ".arp";
  }

  /** Request/reply to one host's agent: GetHostStateRequest -> HostStateListing. */
  public static String hostState(String host) {
    return "dvr.host." + host + ".state";
  }

  /** Request/reply to one host's agent: TraceHostRequest -> TraceHostReply (one leg of dvrctl trace). */
  public static String hostTrace(String host) {
    return "dvr.host." + host + ".trace";
  }
}

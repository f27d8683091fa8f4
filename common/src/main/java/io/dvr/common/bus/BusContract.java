package io.dvr.common.bus;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.dvr.proto.v1.AgentRouterRequest;
import io.dvr.proto.v1.AllocateDvrMacRequest;
import io.dvr.proto.v1.ArpTables;
import io.dvr.proto.v1.ArpUpdate;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.GetArpTablesRequest;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.GetHostStateRequest;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.HostStateListing;
import io.dvr.proto.v1.ListDvrMacsRequest;
import io.dvr.proto.v1.ListDvrMacsResponse;
import io.dvr.proto.v1.ListHostsForRouterRequest;
import io.dvr.proto.v1.ListHostsForRouterResponse;
import io.dvr.proto.v1.HostApplied;
import io.dvr.proto.v1.HostAppliedAck;
import io.dvr.proto.v1.PortsWired;
import io.dvr.proto.v1.PortsWiredAck;
import io.dvr.proto.v1.ResourceChanged;
import io.dvr.proto.v1.RouterPlacement;
import io.dvr.proto.v1.RoutersChanged;
import io.dvr.proto.v1.SnatLeaseGrant;
import io.dvr.proto.v1.SnatLeaseRenewal;
import io.dvr.proto.v1.SyncFipGatewayPortsRequest;
import io.dvr.proto.v1.SyncFipGatewayPortsResponse;
import io.dvr.proto.v1.TraceHostReply;
import io.dvr.proto.v1.TraceHostRequest;
import io.dvr.proto.v1.TunnelEndpoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one place that binds every event-bus address to its kind, its message types and its owner:
 * the one service that answers its requests, or that publishes or sends on it. {@link Bus}
 * refuses an address that is not here, or a message or parser of another type, so that two
 * services cannot disagree about an address. Every request here is idempotent (a read, a report
 * of state, or an "ensure"): {@link InFlightRequests} may send one again when the member that took
 * it dies, and the repeat has the effect of one.
 */
public final class BusContract {
  public static final String API_GATEWAY = "api-gateway";
  public static final String SCHEDULER = "scheduler-svc";
  public static final String MAC_ALLOCATOR = "mac-allocator-svc";
  public static final String ARP = "arp-svc";
  public static final String HOST_AGENT = "host-agent-svc";

  /** How an address is used. */
  public enum Kind {
    /** One answer per request (Bus.request / Bus.serve). */
    REQUEST_REPLY,
    /** To every listener (Bus.publish / Bus.listen). */
    PUBLISH,
    /** To one host's agent (Bus.send / Bus.listen), delivered to every registration of the address (see Bus.send). */
    SEND
  }

  /**
   * One address, or for a per-host address the pattern with {@link #HOST} in place of the host.
   * {@code reply} is null unless the kind is {@link Kind#REQUEST_REPLY}.
   */
  public record Binding(String address, Kind kind, Message request, Message reply, String owner) {
    public boolean perHost() {
      return address.contains(HOST);
    }

    boolean matches(String candidate) {
      if (!perHost()) {
        return address.equals(candidate);
      }
      int at = address.indexOf(HOST);
      String prefix = address.substring(0, at);
      String suffix = address.substring(at + HOST.length());
      return candidate.length() > prefix.length() + suffix.length()
          && candidate.startsWith(prefix) && candidate.endsWith(suffix);
    }
  }

  /** Stands for the host name in a per-host address pattern. */
  public static final String HOST = "{host}";

  private static final List<Binding> ALL = List.of(
      new Binding(EventAddresses.RESOURCE_CHANGED, Kind.PUBLISH, ResourceChanged.getDefaultInstance(), null, API_GATEWAY),
      new Binding(EventAddresses.PORTS_WIRED, Kind.REQUEST_REPLY, PortsWired.getDefaultInstance(),
          PortsWiredAck.getDefaultInstance(), API_GATEWAY),
      new Binding(EventAddresses.HOST_APPLIED, Kind.REQUEST_REPLY, HostApplied.getDefaultInstance(),
          HostAppliedAck.getDefaultInstance(), API_GATEWAY),
      new Binding(EventAddresses.HOST_APPLIED_STORED, Kind.PUBLISH, HostApplied.getDefaultInstance(), null, API_GATEWAY),
      new Binding(EventAddresses.SYNC_FIP_GATEWAY_PORTS, Kind.REQUEST_REPLY, SyncFipGatewayPortsRequest.getDefaultInstance(),
          SyncFipGatewayPortsResponse.getDefaultInstance(), API_GATEWAY),
      new Binding(EventAddresses.ALLOCATE_DVR_MAC, Kind.REQUEST_REPLY, AllocateDvrMacRequest.getDefaultInstance(),
          DvrHostMac.getDefaultInstance(), MAC_ALLOCATOR),
      new Binding(EventAddresses.LIST_DVR_MACS, Kind.REQUEST_REPLY, ListDvrMacsRequest.getDefaultInstance(),
          ListDvrMacsResponse.getDefaultInstance(), MAC_ALLOCATOR),
      new Binding(EventAddresses.DVR_MACS, Kind.PUBLISH, ListDvrMacsResponse.getDefaultInstance(), null, MAC_ALLOCATOR),
      new Binding(EventAddresses.GET_HOST_ROUTERS, Kind.REQUEST_REPLY, GetHostRoutersRequest.getDefaultInstance(),
          HostRouters.getDefaultInstance(), SCHEDULER),
      new Binding(EventAddresses.SNAT_LEASE, Kind.REQUEST_REPLY, SnatLeaseRenewal.getDefaultInstance(),
          SnatLeaseGrant.getDefaultInstance(), SCHEDULER),
      new Binding(EventAddresses.SNAT_ROUTER_ADD, Kind.REQUEST_REPLY, AgentRouterRequest.getDefaultInstance(),
          ListHostsForRouterResponse.getDefaultInstance(), SCHEDULER),
      new Binding(EventAddresses.SNAT_ROUTER_REMOVE, Kind.REQUEST_REPLY, AgentRouterRequest.getDefaultInstance(),
          ListHostsForRouterResponse.getDefaultInstance(), SCHEDULER),
      new Binding(EventAddresses.LIST_HOSTS_FOR_ROUTER, Kind.REQUEST_REPLY, ListHostsForRouterRequest.getDefaultInstance(),
          ListHostsForRouterResponse.getDefaultInstance(), SCHEDULER),
      new Binding(EventAddresses.TUNNEL_ENDPOINTS, Kind.PUBLISH, TunnelEndpoint.getDefaultInstance(), null, SCHEDULER),
      new Binding(EventAddresses.ROUTER_PLACEMENT, Kind.PUBLISH, RouterPlacement.getDefaultInstance(), null, SCHEDULER),
      new Binding(EventAddresses.routersChanged(HOST), Kind.SEND, RoutersChanged.getDefaultInstance(), null, SCHEDULER),
      new Binding(EventAddresses.GET_ARP_TABLES, Kind.REQUEST_REPLY, GetArpTablesRequest.getDefaultInstance(),
          ArpTables.getDefaultInstance(), ARP),
      new Binding(EventAddresses.arpUpdate(HOST), Kind.SEND, ArpUpdate.getDefaultInstance(), null, ARP),
      new Binding(EventAddresses.hostState(HOST), Kind.REQUEST_REPLY, GetHostStateRequest.getDefaultInstance(),
          HostStateListing.getDefaultInstance(), HOST_AGENT),
      new Binding(EventAddresses.hostTrace(HOST), Kind.REQUEST_REPLY, TraceHostRequest.getDefaultInstance(),
          TraceHostReply.getDefaultInstance(), HOST_AGENT));

  /**
   * The fixed addresses published to every host agent; an agent attached to a relay may take them
   * (the rest of what it takes is its own host's addresses).
   */
  public static final Set<String> TO_EVERY_AGENT = Set.of(EventAddresses.DVR_MACS, EventAddresses.TUNNEL_ENDPOINTS);

  /** The requests a host agent makes; a relay makes these, and only these, for the agents attached to it. */
  public static final Set<String> AGENT_REQUESTS = Set.of(EventAddresses.GET_HOST_ROUTERS, EventAddresses.PORTS_WIRED,
      EventAddresses.HOST_APPLIED, EventAddresses.SNAT_LEASE, EventAddresses.ALLOCATE_DVR_MAC,
      EventAddresses.LIST_HOSTS_FOR_ROUTER);

  /** {@code binding}'s address for one host (the address itself when it is not per host). */
  public static String addressFor(Binding binding, String host) {
    return binding.address().replace(HOST, host);
  }

  private static final Map<String, Binding> FIXED = new HashMap<>();
  private static final List<Binding> PER_HOST = ALL.stream().filter(Binding::perHost).toList();

  static {
    ALL.stream().filter(b -> !b.perHost()).forEach(b -> FIXED.put(b.address(), b));
  }

  private BusContract() {}

  /** Every binding, in declaration order. */
  public static List<Binding> all() {
    return ALL;
  }

  /** The binding of an address; IllegalArgumentException naming the address when it has none. */
  public static Binding of(String address) {
    Binding fixed = FIXED.get(address);
    if (fixed != null) {
      return fixed;
    }
    for (Binding b : PER_HOST) {
      if (b.matches(address)) {
        return b;
      }
    }
    throw new IllegalArgumentException("event-bus address '" + address + "' is not in BusContract");
  }

  static Binding check(String address, Kind kind) {
    Binding b = of(address);
    if (b.kind() != kind) {
      throw new IllegalArgumentException("event-bus address '" + address + "' is " + b.kind() + ", not " + kind);
    }
    return b;
  }

  static void checkMessage(Binding b, String address, Message message) {
    if (message.getClass() != b.request().getClass()) {
      throw new IllegalArgumentException("event-bus address '" + address + "' carries "
          + b.request().getDescriptorForType().getFullName() + ", not " + message.getDescriptorForType().getFullName());
    }
  }

  static void checkParser(String address, Message expected, Parser<?> parser, String role) {
    if (parser != expected.getParserForType()) {
      throw new IllegalArgumentException("event-bus address '" + address + "' " + role + " "
          + expected.getDescriptorForType().getFullName() + ", not what the given parser reads");
    }
  }

  /** Checks a listener: the address is published or sent, and the parser reads its message type. */
  static void checkListen(String address, Parser<?> parser) {
    Binding b = of(address);
    if (b.kind() == Kind.REQUEST_REPLY) {
      throw new IllegalArgumentException("event-bus address '" + address + "' is REQUEST_REPLY: serve it, do not listen");
    }
    checkParser(address, b.request(), parser, "carries");
  }
}

package io.dvr.agent;

import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.model.HostState;
import io.dvr.agent.reconcile.Plan;
import io.dvr.agent.reconcile.Reconciler;
import io.dvr.agent.render.Allocations;
import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.HostRenderer;
import io.dvr.agent.render.TunnelType;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.HostStateListing;
import io.dvr.proto.v1.ListingSection;
import io.dvr.proto.v1.LocalPortInfo;
import io.dvr.proto.v1.RouterInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The dataplane of a simulated host: render, diff against the {@link MemoryHost}'s observed
 * state, execute the plan on a worker thread (never on the event loop). Ofports of plugged ports
 * and tunnel ports are assigned here as OVS would, stable while the port stays.
 */
public final class MemoryDataplane implements Dataplane {
  static final int PATCH_INT = 1;
  static final int PATCH_TUN = 1;
  private static final int FIRST_PORT_OFPORT = 10;

  private final Vertx vertx;
  private final MemoryHost host;
  private final FactsStore store;
  private final String mode;
  private volatile Set<String> wired = Set.of();

  public MemoryDataplane(Vertx vertx, MemoryHost host, FactsStore store, String mode) {
    this.vertx = vertx;
    this.host = host;
    this.store = store;
    this.mode = mode;
  }

  public MemoryHost host() {
    return host;
  }

  @Override
  public Set<String> wiredPorts() {
    return wired;
  }

  @Override
  public Future<Integer> apply(HostRouters routers) {
    // The host model is touched only on worker threads, one caller at a time.
    return vertx.executeBlocking(() -> {
      synchronized (host) {
        HostFacts facts = facts(routers);
        Plan plan = Reconciler.diff(HostRenderer.render(routers, facts), host.observe());
        host.execute(plan);
        store.save(facts);
        wired = Set.copyOf(facts.wiredPorts(routers));
        return plan.size();
      }
    });
  }

  /** What the host should hold for these routers with the agent's current facts; changes nothing. */
  public HostState desired(HostRouters routers) {
    synchronized (host) {
      return HostRenderer.render(routers, facts(routers));
    }
  }

  private HostFacts facts(HostRouters routers) {
    HostFacts previous = store.load().orElseGet(() -> HostFacts.initial(host.host(), mode, routers.getDvrMac(),
        TunnelType.VXLAN, PATCH_TUN, PATCH_INT));
    // Tunnel ports on br-tun: one per peer host, numbered after patch-int.
    SortedSet<String> peers = new TreeSet<>();
    routers.getPeerMacsList().stream().map(DvrHostMac::getHost).forEach(peers::add);
    Allocations tunnels = Allocations.assign(ofports(previous.tunnelOfports(), 2), peers);
    // VM and SNAT ports plugged into br-int.
    SortedSet<String> plugged = new TreeSet<>();
    for (RouterInfo r : routers.getRoutersList()) {
      r.getLocalPortsList().stream().map(LocalPortInfo::getPortId).forEach(plugged::add);
    }
    Allocations ports = Allocations.assign(ofports(previous.portOfports(), FIRST_PORT_OFPORT), plugged);
    // Built in one go: adding the ofports one by one copied the maps once per port (quadratic at 200 peers).
    HostFacts facts = new HostFacts(previous.host(), mode, routers.getDvrMac(), previous.tunnelType(),
        previous.patchTunOfport(), previous.patchIntOfport(), tunnels.assigned(), ports.assigned(), previous.localVlans(),
        previous.fipPriorities(), previous.linkLocalPairs());
    return facts.allocate(routers);
  }

  private static Allocations ofports(SortedMap<String, Integer> assigned, int first) {
    return new Allocations(first, 65279, assigned);
  }

  @Override
  public Future<HostStateListing> print(String namespace) {
    return vertx.executeBlocking(() -> {
      HostStateListing.Builder listing = HostStateListing.newBuilder().setHost(host.host());
      Map<String, String> sections;
      synchronized (host) {
        sections = host.sections();
      }
      sections.forEach((title, text) -> {
        if (namespace.isEmpty() || title.startsWith(namespace + ":")) {
          listing.addSections(ListingSection.newBuilder().setTitle(title).setText(text));
        }
      });
      return listing.build();
    });
  }
}

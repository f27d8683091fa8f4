package io.dvr.agent;

import io.dvr.agent.fixtures.SeedTopology;
import static io.dvr.agent.fixtures.SeedTopology.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.model.Flow;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.Neighbour;
import io.dvr.agent.reconcile.Operation;
import io.dvr.agent.reconcile.Operation.AddFlows;
import io.dvr.agent.reconcile.Operation.DeleteFlows;
import io.dvr.agent.reconcile.Operation.RemoveNeighbour;
import io.dvr.agent.reconcile.Operation.ReplaceNeighbour;
import io.dvr.agent.reconcile.Plan;
import io.dvr.agent.reconcile.Reconciler;
import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.HostRenderer;
import io.dvr.agent.render.Names;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.FloatingIpInfo;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The cache of an incremental apply: what it re-diffs, what it shares, when it gives up for a full apply. */
class HostCacheTest {
  private static final String OTHER = "0b0b0b0b-0000-4000-8000-000000000000";
  private static final String FIP = Names.fipNamespace(EXT_NET);

  /** A host that was applied in full, with the cache that apply left. */
  private record Applied(MemoryHost host, HostFacts facts, HostCache cache) {
    /** Applies a change of some routers incrementally; empty when the cache refuses it. */
    Optional<Plan> change(HostRouters next, String... routerIds) {
      Optional<HostCache.Increment> inc = cache.plan(next, Set.of(routerIds), host);
      inc.ifPresent(i -> {
        host.execute(i.plan());
        cache.executed(i.plan(), host, i.namespaces());
      });
      return inc.map(HostCache.Increment::plan);
    }

    /** The host and the cache hold what a full render of {@code routers} wants: a full diff finds nothing. */
    void holdsExactly(HostRouters routers) {
      HostState full = HostRenderer.render(routers, facts);
      assertThat(Reconciler.diff(full, host.observe()).operations()).isEmpty();
      assertThat(cache.desiredNamespaces()).isEqualTo(full.namespaces());
    }

    /** The cache's observed namespace is what the host holds (it followed the plan without reading back). */
    void seesAsTheHost(String namespace) {
      assertThat(cache.observedNamespace(namespace)).contains(host.observe().namespace(namespace));
    }
  }

  private static Applied applied(HostRouters routers) {
    HostFacts facts = compute1Facts(routers);
    MemoryHost host = new MemoryHost("compute1");
    HostState before = host.observe();
    HostRenderer.Rendered rendered = HostRenderer.renderParts(routers, facts);
    Plan plan = Reconciler.diff(rendered.state(), before);
    host.execute(plan);
    HostCache cache = HostCache.of(routers, facts, rendered, before);
    cache.executedInFull(plan);
    return new Applied(host, facts, cache);
  }

  /** compute1's view without routers: VM1 and VM3 are bound to it (the routers name the ones they use). */
  private static HostRouters.Builder compute1View() {
    HostRouters.Builder view = host("compute1", "dvr", MAC_COMPUTE1);
    SeedTopology.plug(view, RouterInfo.newBuilder(), List.of(LOCAL_VM1, LOCAL_VM3));
    return view;
  }

  private static HostRouters twoRouters(RouterInfo first, RouterInfo second) {
    return compute1View().addRouters(first).addRouters(second).build();
  }

  private static RouterInfo withFip(FloatingIpInfo fip) {
    return router().addFloatingIps(fip).setFipAgentGateway(FG_COMPUTE1_117).addLocalPortIds(LOCAL_VM1.getPortId()).build();
  }

  /** A second router with a FIP on the same external network, so in the same fip- namespace. */
  private static RouterInfo other(String floating) {
    RouterPortInfo iface = port("0c0c0c0c-0000-4000-8000-000000000001", "fa:16:3e:00:0c:01", "10.20.0.1",
        "10.20.0.0/24", "0d0d0d0d-0000-4000-8000-000000000001", "0e0e0e0e-0000-4000-8000-000000000001", 9,
        "10.20.0.2", "");
    RouterPortInfo gateway = port("0c0c0c0c-0000-4000-8000-000000000002", "fa:16:3e:00:0c:02", "192.168.1.130",
        "192.168.1.0/24", EXT_SUBNET, EXT_NET, 0, "", "192.168.1.1");
    return RouterInfo.newBuilder().setRouterId(OTHER).setAdminStateUp(true).setDistributed(true)
        .addInterfaces(iface).setGatewayPort(gateway).setFipAgentGateway(FG_COMPUTE1_117)
        .addFloatingIps(fip(floating, "10.20.0.5", "0f0f0f0f-0000-4000-8000-000000000005")).build();
  }

  @Test
  @DisplayName("an ARP entry added to one router is one neighbour in its qrouter- namespace; nothing is diffed or read back in full")
  void arpEntry() {
    HostRouters before = twoRouters(withFip(FIP_116), other("192.168.1.140"));
    Applied a = applied(before);
    RouterInfo changed = withFip(FIP_116).toBuilder()
        .addArpEntries(arp("81.1.180.30", "fa:16:3e:00:00:30", SUBNET_81, "aa000030-0000-4000-8000-000000000030")).build();
    HostRouters after = twoRouters(changed, other("192.168.1.140"));
    Optional<HostCache.Increment> inc = a.cache().plan(after, Set.of(ROUTER), a.host());
    assertThat(inc).isPresent();
    assertThat(inc.get().namespaces()).as("namespaces diffed, and read back, as a whole").isEmpty();
    assertThat(inc.get().plan().operations()).singleElement().isEqualTo(new ReplaceNeighbour(
        Names.qrouterNamespace(ROUTER), new Neighbour("81.1.180.30", Names.qrDevice(IF_81.getPortId()), "fa:16:3e:00:00:30")));
    a.host().execute(inc.get().plan());
    a.cache().executed(inc.get().plan(), a.host(), inc.get().namespaces());
    a.holdsExactly(after);
    a.seesAsTheHost(Names.qrouterNamespace(ROUTER));
  }

  @Test
  @DisplayName("ARP entries moved to another MAC, removed and re-added are planned by their keys alone, as a full diff would")
  void arpEntriesChanged() {
    String vm30 = "aa000030-0000-4000-8000-000000000030";
    String vm31 = "aa000031-0000-4000-8000-000000000031";
    RouterInfo two = withFip(FIP_116).toBuilder()
        .addArpEntries(arp("81.1.180.30", "fa:16:3e:00:00:30", SUBNET_81, vm30))
        .addArpEntries(arp("81.1.180.31", "fa:16:3e:00:00:31", SUBNET_81, vm31)).build();
    Applied a = applied(twoRouters(two, other("192.168.1.140")));
    String qrouter = Names.qrouterNamespace(ROUTER);
    String qr = Names.qrDevice(IF_81.getPortId());

    // .30 moves to another MAC (replaced in place), .31 goes.
    RouterInfo step1 = withFip(FIP_116).toBuilder()
        .addArpEntries(arp("81.1.180.30", "fa:16:3e:00:00:99", SUBNET_81, vm30)).build();
    Plan plan = a.change(twoRouters(step1, other("192.168.1.140")), ROUTER).orElseThrow();
    assertThat(plan.operations()).containsExactlyInAnyOrder(
        new ReplaceNeighbour(qrouter, new Neighbour("81.1.180.30", qr, "fa:16:3e:00:00:99")),
        new RemoveNeighbour(qrouter, new Neighbour("81.1.180.31", qr, "fa:16:3e:00:00:31")));
    a.holdsExactly(twoRouters(step1, other("192.168.1.140")));
    a.seesAsTheHost(qrouter);

    // .31 comes back; an entry of the router's own interface address makes no neighbour.
    RouterInfo step2 = step1.toBuilder().addArpEntries(arp("81.1.180.31", "fa:16:3e:00:00:31", SUBNET_81, vm31))
        .addArpEntries(arp(IF_81.getIpAddress(), IF_81.getMacAddress(), SUBNET_81, IF_81.getPortId())).build();
    plan = a.change(twoRouters(step2, other("192.168.1.140")), ROUTER).orElseThrow();
    assertThat(plan.operations()).containsExactly(
        new ReplaceNeighbour(qrouter, new Neighbour("81.1.180.31", qr, "fa:16:3e:00:00:31")));
    a.holdsExactly(twoRouters(step2, other("192.168.1.140")));
    a.seesAsTheHost(qrouter);

    // The same table in another order changes nothing.
    List<ArpEntry> backwards = new ArrayList<>(step2.getArpEntriesList());
    Collections.reverse(backwards);
    RouterInfo reordered = step2.toBuilder().clearArpEntries().addAllArpEntries(backwards).build();
    assertThat(a.change(twoRouters(reordered, other("192.168.1.140")), ROUTER).orElseThrow().operations()).isEmpty();
  }

  @Test
  @DisplayName("a neighbour the host lost is put back by the next full apply, not by an ARP update of another entry")
  void arpEntryLostOnTheHost() {
    RouterInfo one = withFip(FIP_116).toBuilder()
        .addArpEntries(arp("81.1.180.30", "fa:16:3e:00:00:30", SUBNET_81, "aa000030-0000-4000-8000-000000000030")).build();
    Applied a = applied(twoRouters(one, other("192.168.1.140")));
    String qrouter = Names.qrouterNamespace(ROUTER);
    Neighbour lost = new Neighbour("81.1.180.30", Names.qrDevice(IF_81.getPortId()), "fa:16:3e:00:00:30");
    a.host().execute(new Plan(List.of(new RemoveNeighbour(qrouter, lost))));
    RouterInfo two = one.toBuilder()
        .addArpEntries(arp("81.1.180.31", "fa:16:3e:00:00:31", SUBNET_81, "aa000031-0000-4000-8000-000000000031")).build();
    HostRouters next = twoRouters(two, other("192.168.1.140"));
    Plan plan = a.change(next, ROUTER).orElseThrow();
    assertThat(plan.operations()).extracting(Operation::namespace).containsOnly(qrouter);
    assertThat(plan.operations()).hasSize(1); // the update's own entry only: drift waits for the resync
    assertThat(Reconciler.diff(HostRenderer.render(next, a.facts()), a.host().observe()).operations())
        .containsExactly(new ReplaceNeighbour(qrouter, lost));
  }

  @Test
  @DisplayName("a FIP moving to another floating address re-renders the shared fip- namespace from both routers' parts")
  void sharedFipNamespace() {
    Applied a = applied(twoRouters(withFip(FIP_116), other("192.168.1.140")));
    HostRouters moved = twoRouters(withFip(FIP_116), other("192.168.1.141"));
    Optional<Plan> plan = a.change(moved, OTHER);
    assertThat(plan).isPresent();
    assertThat(plan.get().operations()).extracting(Operation::namespace)
        .containsOnly(FIP, Names.qrouterNamespace(OTHER));
    assertThat(a.host().ipRoute(FIP)).contains("192.168.1.141 via").doesNotContain("192.168.1.140 via")
        .contains("192.168.1.116 via"); // the first router's share of fip- stays
    a.holdsExactly(moved);
  }

  @Test
  @DisplayName("a flow two routers render stays while either still renders it, and goes with the last")
  void sharedFlows() {
    // Two routers with the same interfaces render the same br-tun flows for them.
    RouterInfo first = router().addLocalPortIds(LOCAL_VM1.getPortId()).build();
    RouterInfo twin = first.toBuilder().setRouterId(OTHER).build();
    Applied a = applied(twoRouters(first, twin));
    RouterPortInfo moved = IF_90.toBuilder().setMacAddress("fa:16:3e:00:90:90").build();
    RouterInfo twinMoved = twin.toBuilder().setInterfaces(1, moved).build();
    HostRouters step1 = twoRouters(first, twinMoved);
    Plan plan = a.change(step1, OTHER).orElseThrow();
    assertThat(plan.operations()).filteredOn(DeleteFlows.class::isInstance).isEmpty();
    assertThat(flows(plan, AddFlows.class)).isNotEmpty().allMatch(f -> f.match().contains("fa:16:3e:00:90:90"));
    a.holdsExactly(step1);
    String old = IF_90.getMacAddress();
    assertThat(a.host().dumpFlows(Names.BR_TUN)).contains("dl_src=" + old);

    HostRouters step2 = twoRouters(first.toBuilder().setInterfaces(1, moved).build(), twinMoved);
    plan = a.change(step2, ROUTER).orElseThrow();
    assertThat(flows(plan, DeleteFlows.class)).isNotEmpty().allMatch(f -> f.match().contains(old));
    assertThat(a.host().dumpFlows(Names.BR_TUN)).doesNotContain("dl_src=" + old);
    a.holdsExactly(step2);
  }

  @Test
  @DisplayName("a router removed or added, a router's first FIP here or a new VM port change the facts: the cache refuses, a full apply follows")
  void factsChangeMeansFull() {
    HostRouters two = twoRouters(withFip(FIP_116), other("192.168.1.140"));
    Applied a = applied(two);
    HostRouters oneLeft = compute1View().addRouters(withFip(FIP_116)).build();
    assertThat(a.cache().plan(oneLeft, Set.of(OTHER), a.host())).isEmpty();
    Applied b = applied(oneLeft);
    assertThat(b.cache().plan(two, Set.of(OTHER), b.host())).isEmpty();
    // A router's first FIP here takes a link-local pair and makes rfp-/fpr-.
    HostRouters noFip = twoRouters(router().addLocalPortIds(LOCAL_VM1.getPortId()).build(), other("192.168.1.140"));
    assertThat(plan(applied(noFip), two, ROUTER)).isEmpty();
    RouterInfo newVm = withFip(FIP_116).toBuilder().addLocalPortIds(LOCAL_VM3.getPortId()).build();
    assertThat(plan(applied(two), twoRouters(newVm, other("192.168.1.140")), ROUTER)).isEmpty();
    HostRouters newPeer = two.toBuilder().addPeers(peer("compute3", "fa:16:3f:00:00:13", "10.0.0.13")).build();
    assertThat(plan(applied(two), newPeer, ROUTER)).as("host part changed").isEmpty();
  }

  @Test
  @DisplayName("a second FIP of a router that has one here is applied alone, its rule priority allocated as a full apply"
      + " allocates it, and the namespaces follow the plan without reading the host; removing it again is alone too")
  void anotherFipAlone() {
    HostRouters two = twoRouters(withFip(FIP_116), other("192.168.1.140"));
    Applied a = applied(two);
    RouterInfo secondFip = withFip(FIP_116).toBuilder()
        .addFloatingIps(fip("192.168.1.119", "81.1.180.20", "aa000020-0000-4000-8000-000000000020")).build();
    HostRouters added = twoRouters(secondFip, other("192.168.1.140"));
    HostCache.Increment inc = a.cache().plan(added, Set.of(ROUTER), a.host()).orElseThrow();
    assertThat(inc.factsChanged()).isTrue();
    assertThat(a.cache().facts()).isEqualTo(a.facts().allocate(added));
    assertThat(inc.plan().operations()).extracting(Operation::namespace).containsOnly(FIP, Names.qrouterNamespace(ROUTER));
    a.host().execute(inc.plan());
    a.cache().executed(inc.plan(), noReads(), inc.namespaces());
    holdsExactly(a, added);

    HostCache.Increment removed = a.cache().plan(two, Set.of(ROUTER), a.host()).orElseThrow();
    assertThat(removed.factsChanged()).isTrue();
    assertThat(a.cache().facts()).isEqualTo(a.facts());
    a.host().execute(removed.plan());
    a.cache().executed(removed.plan(), noReads(), removed.namespaces());
    holdsExactly(a, two);
  }

  @Test
  @DisplayName("a VM port bound to the host is planned alone, with the bridges' ports read as the binding reads them:"
      + " its flows and its VM port's tag, followed without reading the host back; unbound, its flows go the same way")
  void portBoundAlone() {
    HostRouters two = twoRouters(withFip(FIP_116), other("192.168.1.140"));
    Applied a = applied(two);
    RouterInfo newVm = withFip(FIP_116).toBuilder().addLocalPortIds(LOCAL_VM3.getPortId()).build();
    HostRouters bound = twoRouters(newVm, other("192.168.1.140"));
    HostCache.PortBinding plug = (previous, routers) -> {
      a.host().plugVm("tapaa000003-00", VM3);
      var ports = a.host().observePorts();
      int ofport = ports.get(Names.BR_INT).port("iface-id=" + VM3).orElseThrow().ofport();
      return new HostCache.PortsRead(ports, previous.withPortOfport(VM3, ofport));
    };
    HostCache.Increment inc = a.cache().plan(bound, Set.of(ROUTER), a.host(), plug).orElseThrow();
    assertThat(inc.bindingsChanged()).isTrue();
    assertThat(inc.plan().operations()).isNotEmpty()
        .allMatch(op -> op instanceof AddFlows || op instanceof Operation.SetPortTag);
    String toVm3 = "output:" + a.cache().facts().portOfports().get(VM3);
    assertThat(flows(inc.plan(), AddFlows.class)).as("the flows to the port, and no other")
        .allMatch(f -> f.actions().endsWith(toVm3)).anyMatch(f -> f.match().contains(LOCAL_VM3.getMacAddress()));
    a.host().execute(inc.plan());
    a.cache().executed(inc.plan(), noReads(), inc.namespaces());
    assertThat(Reconciler.diff(HostRenderer.render(bound, a.cache().facts()), a.host().observe()).operations()).isEmpty();

    HostCache.PortBinding unplug = (previous, routers) -> {
      a.host().unplugVm("tapaa000003-00");
      java.util.SortedMap<String, Integer> ofports = new java.util.TreeMap<>(previous.portOfports());
      ofports.remove(VM3);
      return new HostCache.PortsRead(a.host().observePorts(), new HostFacts(previous.host(), previous.agentMode(),
          previous.dvrMac(), previous.tunnelType(), previous.tunnelIp(), previous.patchTunOfport(),
          previous.patchIntOfport(), previous.tunnelOfports(), ofports, previous.localVlans(), previous.fipPriorities(),
          previous.linkLocalPairs()));
    };
    HostCache.Increment gone = a.cache().plan(two, Set.of(ROUTER), noReads(), unplug).orElseThrow();
    assertThat(gone.plan().operations()).isNotEmpty().allMatch(op -> op instanceof DeleteFlows);
    a.host().execute(gone.plan());
    a.cache().executed(gone.plan(), noReads(), gone.namespaces());
    assertThat(Reconciler.diff(HostRenderer.render(two, a.cache().facts()), a.host().observe()).operations()).isEmpty();
    assertThat(a.cache().facts().portOfports()).doesNotContainKey(VM3);
  }

  /** As {@link Applied#holdsExactly}, with the facts the cache holds now, and its namespaces as the host's. */
  private static void holdsExactly(Applied a, HostRouters routers) {
    HostState full = HostRenderer.render(routers, a.cache().facts());
    assertThat(Reconciler.diff(full, a.host().observe()).operations()).isEmpty();
    assertThat(a.cache().desiredNamespaces()).isEqualTo(full.namespaces());
    a.seesAsTheHost(FIP);
    a.seesAsTheHost(Names.qrouterNamespace(ROUTER));
  }

  /** A driver that fails when anything is read from it: the cache must follow the plan instead. */
  private static io.dvr.agent.driver.HostDriver noReads() {
    return (io.dvr.agent.driver.HostDriver) java.lang.reflect.Proxy.newProxyInstance(HostCacheTest.class.getClassLoader(),
        new Class<?>[] {io.dvr.agent.driver.HostDriver.class}, (proxy, method, args) -> {
          throw new AssertionError("the host was read (" + method.getName() + ") after a plan the cache can follow");
        });
  }

  @Test
  @DisplayName("a refused change leaves the cache as it was: a later change still applies alone")
  void refusalChangesNothing() {
    HostRouters two = twoRouters(withFip(FIP_116), other("192.168.1.140"));
    Applied a = applied(two);
    HostRouters oneLeft = compute1View().addRouters(withFip(FIP_116)).build();
    assertThat(a.cache().plan(oneLeft, Set.of(OTHER), a.host())).isEmpty();
    HostRouters moved = twoRouters(withFip(FIP_116), other("192.168.1.141"));
    assertThat(a.change(moved, OTHER)).isPresent();
    a.holdsExactly(moved);
  }

  private static Optional<HostCache.Increment> plan(Applied a, HostRouters next, String routerId) {
    return a.cache().plan(next, Set.of(routerId), a.host());
  }

  private static SortedSet<Flow> flows(Plan plan, Class<? extends Operation> kind) {
    SortedSet<Flow> out = new TreeSet<>();
    for (Operation op : plan.operations()) {
      if (kind.isInstance(op) && op instanceof AddFlows add) {
        out.addAll(add.flows());
      } else if (kind.isInstance(op) && op instanceof DeleteFlows delete) {
        out.addAll(delete.flows());
      }
    }
    return out;
  }
}
